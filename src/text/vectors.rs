//! How close two words are in meaning, from a shipped table of word vectors.
//!
//! The synonym list pairs words an editor thought of; a right answer in its
//! own words often uses one nobody listed ("quick" for "fast", "keep" for
//! "retain"). The table (`data/word-vectors.bin`, see `data/README.md`)
//! holds a 64-dimension vector for each listed English word and each word of
//! the corpus and the synonym list: each word embedded alone by a sentence
//! model, centred and reduced to its principal components, so the cosine of
//! two vectors says how alike two words are. It is compiled into the binary,
//! read once and keyed by stem: the words of one stem share their mean.
//!
//! Closeness in such vectors is relatedness, not sameness: opposites sit
//! close, being used alike ("encrypt" and "decrypt" 0.81). Callers give
//! credit only well above chance ([`AdHocQuestion`](crate::score::AdHocQuestion)
//! from a cosine of 0.5), never for a word the reference itself uses and
//! never between opposites.
//!
//! # Example
//!
//! ```
//! use assay::text::vectors;
//! use assay::text::Analyzer;
//!
//! let stem = |w: &str| Analyzer::english().stem(w);
//! let table = vectors::shipped();
//! let close = |a: &str, b: &str| Some(table.cosine(table.id(&stem(a))?, table.id(&stem(b))?));
//! assert!(close("fast", "quick").is_some());
//! assert!(close("fast", "quick") > close("fast", "banana"));
//! ```

use std::sync::OnceLock;

use rustc_hash::FxHashMap as HashMap;

use super::Analyzer;

const SHIPPED: &[u8] = include_bytes!("../../data/word-vectors.bin");
/// The first bytes of a table in the format [`WordVectors::parse`] reads.
const MAGIC: &[u8; 4] = b"AWV1";

/// A table that could not be read, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VectorsError {
    /// The table does not start with the format's magic bytes.
    #[error("not a word-vector table: it does not start with `AWV1`")]
    NotATable,
    /// The table ends inside its header or an entry.
    #[error("the table ends at byte {at}, inside entry {entry} of {count}")]
    Truncated {
        /// Where the bytes ran out.
        at: usize,
        /// The entry being read (0 for the header).
        entry: usize,
        /// How many entries the header promised.
        count: usize,
    },
    /// An entry's word is not UTF-8.
    #[error("entry {entry} at byte {at}: the word is not UTF-8")]
    NotUtf8 {
        /// The entry's number, from 0.
        entry: usize,
        /// The byte where its word starts.
        at: usize,
    },
    /// Bytes follow the last entry the header counts.
    #[error("{extra} bytes follow the last of the {count} entries")]
    TrailingBytes {
        /// How many bytes are left over.
        extra: usize,
        /// How many entries the header promised.
        count: usize,
    },
}

/// A word stem's row in a [`WordVectors`] table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VectorId(u32);

/// Word vectors keyed by stem, each of unit length.
#[derive(Debug, Default)]
pub struct WordVectors {
    ids: HashMap<String, VectorId>,
    /// Row-major: row `id` is `values[id * dims..(id + 1) * dims]`, each
    /// value × [`SCALE`]. Bytes rather than floats: a quarter of the memory
    /// to read per comparison, and cosines within 0.01.
    values: Vec<i8>,
    dims: usize,
}

/// What a unit vector's components are multiplied by to be stored as bytes.
const SCALE: f32 = 127.0;

impl WordVectors {
    /// Reads a table in the shipped format (little-endian): `AWV1`, the word
    /// count (u32) and dimensions (u16), then per word its length in bytes
    /// (u8), its UTF-8 bytes and one i8 per dimension. `stem` keys each word;
    /// the words of one stem share their mean vector.
    pub fn parse(bytes: &[u8], stem: impl Fn(&str) -> String) -> Result<Self, VectorsError> {
        let mut reader = Reader { bytes, at: 0 };
        if reader.take(MAGIC.len()) != Some(MAGIC.as_slice()) {
            return Err(VectorsError::NotATable);
        }
        let header = reader.take(6);
        let truncated = |at, entry, count| VectorsError::Truncated { at, entry, count };
        let Some(&[c0, c1, c2, c3, d0, d1]) = header else {
            return Err(truncated(bytes.len(), 0, 0));
        };
        let count = u32::from_le_bytes([c0, c1, c2, c3]) as usize;
        let dims = usize::from(u16::from_le_bytes([d0, d1]));
        // Sums per stem, then how many words each sum holds.
        let mut ids: HashMap<String, VectorId> = HashMap::default();
        let mut sums: Vec<f32> = Vec::new();
        for entry in 0..count {
            let len = reader.take(1).ok_or(truncated(bytes.len(), entry, count))?[0];
            let start = reader.at;
            let word = reader
                .take(usize::from(len))
                .ok_or(truncated(bytes.len(), entry, count))?;
            let word = std::str::from_utf8(word).map_err(|_| VectorsError::NotUtf8 { entry, at: start })?;
            let vector = reader.take(dims).ok_or(truncated(bytes.len(), entry, count))?;
            let next = VectorId(ids.len() as u32);
            let id = *ids.entry(stem(word)).or_insert(next);
            let row = id.0 as usize * dims;
            if row == sums.len() {
                sums.resize(row + dims, 0.0);
            }
            for (sum, &v) in sums[row..row + dims].iter_mut().zip(vector) {
                *sum += f32::from(v as i8);
            }
        }
        if reader.at != bytes.len() {
            return Err(VectorsError::TrailingBytes {
                extra: bytes.len() - reader.at,
                count,
            });
        }
        // A mean points where its sum does: normalising the sum is enough.
        let mut values = Vec::with_capacity(sums.len());
        for row in sums.chunks(dims.max(1)) {
            let norm = row
                .iter()
                .map(|v| v * v)
                .sum::<f32>()
                .sqrt()
                .max(f32::MIN_POSITIVE);
            values.extend(row.iter().map(|v| (v / norm * SCALE).round() as i8));
        }
        Ok(WordVectors { ids, values, dims })
    }

    /// The row of a stem, if the table holds a word with that stem.
    pub fn id(&self, stem: &str) -> Option<VectorId> {
        self.ids.get(stem).copied()
    }

    /// The cosine of two rows: 1 for the same direction, about 0 for
    /// unrelated words.
    pub fn cosine(&self, a: VectorId, b: VectorId) -> f32 {
        let (a, b) = (self.row(a), self.row(b));
        let dot: i32 = a.iter().zip(b).map(|(&x, &y)| i32::from(x) * i32::from(y)).sum();
        dot as f32 / (SCALE * SCALE)
    }

    /// How many stems the table holds.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether the table holds no stem.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    fn row(&self, id: VectorId) -> &[i8] {
        let start = id.0 as usize * self.dims;
        self.values.get(start..start + self.dims).unwrap_or(&[])
    }
}

/// Reads a byte slice front to back.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    /// The next `n` bytes, or `None` when fewer are left.
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let taken = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(taken)
    }
}

/// The shipped table, read on first use. A table that fails to read (a
/// build defect the tests catch) leaves it empty, so no word earns credit
/// through it.
pub fn shipped() -> &'static WordVectors {
    static TABLE: OnceLock<WordVectors> = OnceLock::new();
    TABLE.get_or_init(|| {
        let analyzer = Analyzer::english();
        WordVectors::parse(SHIPPED, |word| analyzer.stem(word)).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stem(word: &str) -> String {
        Analyzer::english().stem(word)
    }

    fn cosine(a: &str, b: &str) -> f32 {
        let table = shipped();
        match (table.id(&stem(a)), table.id(&stem(b))) {
            (Some(a), Some(b)) => table.cosine(a, b),
            _ => f32::NAN,
        }
    }

    #[test]
    fn the_shipped_table_reads_whole() {
        let table = WordVectors::parse(SHIPPED, stem);
        let table = table.as_ref().map(WordVectors::len);
        assert!(matches!(table, Ok(n) if n > 15_000), "{table:?}");
    }

    #[test]
    fn listed_words_and_corpus_words_have_vectors() {
        for word in ["database", "retrieve", "idempotency", "kafka"] {
            assert!(shipped().id(&stem(word)).is_some(), "{word}");
        }
    }

    #[test]
    fn words_of_close_meaning_are_closer_than_unrelated_ones() {
        assert!(cosine("fast", "quick") > 0.5, "{}", cosine("fast", "quick"));
        assert!(cosine("fast", "banana") < 0.3, "{}", cosine("fast", "banana"));
        assert!(cosine("delete", "remove") > cosine("delete", "purple"));
    }

    #[test]
    fn a_row_is_of_unit_length() {
        let table = shipped();
        let id = table.id(&stem("memory")).map(|id| table.cosine(id, id));
        assert!(id.is_some_and(|c| (c - 1.0).abs() < 0.01), "{id:?}");
    }

    fn table(count: u32, entries: &[(&str, [i8; 2])]) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        bytes.extend(count.to_le_bytes());
        bytes.extend(2u16.to_le_bytes());
        for (word, vector) in entries {
            bytes.push(word.len() as u8);
            bytes.extend(word.as_bytes());
            bytes.extend(vector.iter().map(|&v| v as u8));
        }
        bytes
    }

    #[test]
    fn words_of_one_stem_share_their_mean() {
        let bytes = table(2, &[("cache", [127, 0]), ("caches", [0, 127])]);
        let vectors = WordVectors::parse(&bytes, stem);
        let vectors = vectors.as_ref().ok();
        let cosine = vectors.and_then(|v| {
            let cache = v.id(&stem("cache"))?;
            Some((v.len(), v.row(cache).to_vec()))
        });
        // Each component of the unit mean is 1/√2, stored × 127.
        assert_eq!(cosine, Some((1, vec![90, 90])));
    }

    #[test]
    fn a_broken_table_is_refused_with_where() {
        assert_eq!(
            WordVectors::parse(b"GIF89a", stem).err(),
            Some(VectorsError::NotATable)
        );
        let mut bytes = table(2, &[("cache", [1, 2])]);
        let end = bytes.len();
        assert_eq!(
            WordVectors::parse(&bytes, stem).err(),
            Some(VectorsError::Truncated {
                at: end,
                entry: 1,
                count: 2
            })
        );
        bytes = table(1, &[("cache", [1, 2]), ("x", [0, 0])]);
        assert_eq!(
            WordVectors::parse(&bytes, stem).err(),
            Some(VectorsError::TrailingBytes { extra: 4, count: 1 })
        );
        bytes = table(1, &[]);
        bytes.extend([2, 0xff, 0xfe, 0, 0]);
        assert_eq!(
            WordVectors::parse(&bytes, stem).err(),
            Some(VectorsError::NotUtf8 { entry: 0, at: 11 })
        );
    }
}
