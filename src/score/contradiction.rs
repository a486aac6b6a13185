//! Answers that use a reference's words for the opposite claim.
//!
//! Word overlap credits "UDP is the reliable one because it retransmits"
//! as if it said what the reference says about TCP. Each check here reads an
//! answer's clauses against the references' clauses:
//!
//! - **swapped roles**: the question contrasts two things ("a process and a
//!   thread"), and clauses about one say what only the references' clauses
//!   about the other say, more than the answer's clauses say what only their
//!   own thing's do;
//! - **another value**: the question asks for a complexity and the answer
//!   states one (`O(log n)`, "linear time") that no reference gives, and
//!   none that one does;
//! - **opposite claim**: a clause that echoes a reference clause (shares two
//!   or more of its weighted words) says the other side of a shipped pair
//!   ("lowers" where the reference "raises"), or denies with a verb's
//!   negation a word the reference affirms.
//!
//! A contradiction found costs points and is reported with the answer's
//! words and the reference's, so the caller can see why. Only the first
//! [`MAX_CLAUSES`] clauses of an answer are read, so the work stays
//! bounded whatever the answer's length.

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::FxHashMap as HashMap;

use super::evaluation::{Contradiction, ContradictionKind};
use crate::rubric::Vocabulary;
use crate::text::stopwords::is_filler;
use crate::text::{Analyzed, Analyzer, TokenKind};

/// Weight of shared words at which an answer clause echoes a reference clause.
const ECHO_WEIGHT: f32 = 3.0;
/// How much more a clause must echo the other thing's clauses than its own
/// for its roles to count as swapped.
const SWAP_FACTOR: f32 = 2.0;
/// Longest complexity expression read, in bytes.
const MAX_ORDER_LEN: usize = 24;
/// Words that may stand between "and" and the second thing's name.
const ARTICLES: &[&str] = &["a", "an", "the"];
/// Fewest shared words at which an answer clause echoes a reference clause.
const ECHO_WORDS: usize = 2;
/// Prepositions a contrasted thing's name may hold ("pass by value",
/// "depth of field"): read past, not taken as words of the name.
const CONTRAST_LINKS: &[&str] = &["by", "of", "in", "for", "to", "with", "on"];
/// Most contrasted things' words read on each side of "and" / "or" / "vs".
const MAX_CONTRAST_WORDS: usize = 3;
/// Words that open a subordinate clause: a negation before one denies
/// nothing after it ("is not freed when its function is invoked again"
/// does not deny the invocation).
const SUBORDINATORS: &[&str] = &[
    "after", "although", "because", "before", "if", "once", "since", "though", "unless", "until", "when",
    "where", "whereas", "while",
];
/// Answer clauses read for contradictions (a long answer has 20 to 40).
const MAX_CLAUSES: usize = 200;

/// The references' claims, compiled once per question.
#[derive(Debug, Clone, Default)]
pub(crate) struct Claims {
    /// The stems naming each of the two things the question contrasts.
    contrast: Option<[BTreeSet<String>; 2]>,
    /// Per contrasted thing, the words the references' clauses say of it and
    /// never of the other.
    said_only_of: [BTreeSet<String>; 2],
    /// Reference clauses, each with the thing it is about.
    clauses: Vec<Unit>,
    /// Stem → the reference clauses affirming it, and its weight.
    postings: HashMap<String, (Vec<usize>, f32)>,
    /// Complexity expressions the references state: normalised, each with
    /// its first spelling in a reference (`O(n)`, "linear time") for the
    /// report; empty unless the question asks for a complexity.
    orders: BTreeMap<String, String>,
}

/// A clause of a reference answer.
#[derive(Debug, Clone)]
struct Unit {
    /// Affirmed content stems (their weights are in [`Claims::postings`]).
    words: BTreeSet<String>,
    /// Content stems under negation.
    negated: BTreeSet<String>,
    /// Content stems after a verb's negation ([`clauses_of`]).
    denied: BTreeSet<String>,
    /// Which contrasted thing it is about, if any.
    subject: Option<usize>,
    /// The reference's words, for the report.
    text: String,
}

/// A clause of an analysed text, and the contrasted thing it is about.
#[derive(Debug)]
struct Clause<'a> {
    /// Content stems outside negation.
    words: BTreeSet<&'a str>,
    /// Content stems under negation.
    negated: BTreeSet<&'a str>,
    /// Content stems a verb's negation governs from before them ("does not
    /// save the state"): what the clause denies.
    denied: BTreeSet<&'a str>,
    /// Which contrasted thing it is about, if any.
    subject: Option<usize>,
    /// The sentence it belongs to.
    sentence: u32,
    /// Its byte span in the text.
    start: usize,
    end: usize,
}

impl Claims {
    /// Compiles the claims of `references` (each text with its analysis) to
    /// `question`; `weight` tells how much a stem shows (question words
    /// already demoted).
    pub(crate) fn new(
        analyzer: &Analyzer,
        question: &str,
        references: &[(&str, Analyzed)],
        weight: impl Fn(&str) -> f32,
    ) -> Self {
        let contrast = contrast(&analyzer.analyze(question)).filter(|sides| {
            sides
                .iter()
                .all(|side| references.iter().any(|(_, a)| mentions(a, side)))
        });
        let mut claims = Claims {
            contrast,
            ..Claims::default()
        };
        let complexity_asked = asks_for_complexity(question);
        for (text, analyzed) in references {
            if complexity_asked {
                for (order, (start, end)) in order_spans(text) {
                    let written = text.get(start..end).unwrap_or(order.as_str()).to_owned();
                    claims.orders.entry(order).or_insert(written);
                }
            }
            for clause in clauses_of(analyzed, claims.contrast.as_ref()) {
                let at = claims.clauses.len();
                for stem in &clause.words {
                    let (units, _) = claims
                        .postings
                        .entry((*stem).to_owned())
                        .or_insert_with(|| (Vec::new(), weight(stem)));
                    units.push(at);
                }
                claims.clauses.push(Unit {
                    words: clause.words.iter().map(|s| (*s).to_owned()).collect(),
                    negated: clause.negated.iter().map(|s| (*s).to_owned()).collect(),
                    denied: clause.denied.iter().map(|s| (*s).to_owned()).collect(),
                    subject: clause.subject,
                    text: text.get(clause.start..clause.end).unwrap_or_default().to_owned(),
                });
            }
        }
        if let Some(contrast) = &claims.contrast {
            let said_of = |side: usize| -> BTreeSet<&str> {
                claims
                    .clauses
                    .iter()
                    .filter(|unit| unit.subject == Some(side))
                    .flat_map(|unit| unit.words.iter().map(String::as_str))
                    .filter(|w| !contrast.iter().any(|named| named.contains(*w)))
                    .collect()
            };
            let (first, second) = (said_of(0), said_of(1));
            let only =
                |a: &BTreeSet<&str>, b: &BTreeSet<&str>| a.difference(b).map(|s| (*s).to_owned()).collect();
            claims.said_only_of = [only(&first, &second), only(&second, &first)];
        }
        claims
    }

    /// What `answer` (analysed as `analyzed`) says against the references.
    pub(crate) fn contradictions(
        &self,
        answer: &str,
        analyzed: &Analyzed,
        vocabulary: &Vocabulary,
    ) -> Vec<Contradiction> {
        let mut clauses = clauses_of(analyzed, self.contrast.as_ref());
        clauses.truncate(MAX_CLAUSES);
        let mut found = self.swapped_roles(answer, &clauses);
        found.extend(self.other_value(answer));
        found.extend(self.opposite_words(answer, &clauses, vocabulary));
        found
    }

    /// Clauses about one contrasted thing that say what only the references'
    /// clauses about the other say, when they outweigh the clauses that say
    /// what only their own thing's clauses say.
    fn swapped_roles(&self, answer: &str, clauses: &[Clause<'_>]) -> Vec<Contradiction> {
        if self.contrast.is_none() {
            return Vec::new();
        }
        let weigh = |clause: &Clause<'_>, side: usize| -> f32 {
            let shared: Vec<f32> = clause
                .words
                .iter()
                .filter(|w| self.said_only_of[side].contains(**w))
                .map(|w| self.postings.get(*w).map_or(0.0, |(_, weight)| *weight))
                .collect();
            if shared.len() < ECHO_WORDS {
                return 0.0;
            }
            shared.iter().sum()
        };
        let (mut swapped, mut swapped_weight, mut right_weight) = (Vec::new(), 0.0f32, 0.0f32);
        for clause in clauses {
            let Some(subject) = clause.subject else { continue };
            let other = 1 - subject;
            let (own, others) = (weigh(clause, subject), weigh(clause, other));
            if others >= ECHO_WEIGHT && others > SWAP_FACTOR * own {
                swapped_weight += others;
                let said_there = self
                    .echoes(&clause.words)
                    .into_iter()
                    .filter(|(at, _)| self.clauses[*at].subject == Some(other))
                    .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
                let reference = said_there.map_or("", |(at, _)| self.clauses[at].text.as_str());
                swapped.push(report(ContradictionKind::SwappedRoles, answer, clause, reference));
            } else if own >= ECHO_WEIGHT {
                right_weight += own;
            }
        }
        if swapped_weight > right_weight {
            swapped
        } else {
            Vec::new()
        }
    }

    /// The reference clauses sharing at least [`ECHO_WORDS`] of `words`
    /// (affirmed there), with the weight shared, in clause order.
    fn echoes(&self, words: &BTreeSet<&str>) -> Vec<(usize, f32)> {
        let mut shared: BTreeMap<usize, (f32, usize)> = BTreeMap::new();
        for word in words {
            if let Some((units, weight)) = self.postings.get(*word) {
                for &at in units {
                    let entry = shared.entry(at).or_default();
                    entry.0 += weight;
                    entry.1 += 1;
                }
            }
        }
        shared
            .into_iter()
            .filter(|(_, (_, n))| *n >= ECHO_WORDS)
            .map(|(at, (weight, _))| (at, weight))
            .collect()
    }

    /// A complexity the references do not give, when the answer gives none
    /// they do.
    fn other_value(&self, answer: &str) -> Option<Contradiction> {
        if self.orders.is_empty() {
            return None;
        }
        let stated = order_spans(answer);
        if stated.is_empty() || stated.iter().any(|(order, _)| self.orders.contains_key(order)) {
            return None;
        }
        let (_, (start, end)) = stated.first()?;
        Some(Contradiction {
            kind: ContradictionKind::OtherValue,
            start: *start,
            end: *end,
            text: answer.get(*start..*end).unwrap_or_default().to_owned(),
            reference: self.orders.values().cloned().collect::<Vec<_>>().join(", "),
        })
    }

    /// Clauses that echo a reference clause but say the opposite side of a
    /// listed pair, or deny a word it affirms.
    fn opposite_words(
        &self,
        answer: &str,
        clauses: &[Clause<'_>],
        vocabulary: &Vocabulary,
    ) -> Vec<Contradiction> {
        let opposites = vocabulary.opposites();
        let mut found = Vec::new();
        for clause in clauses {
            // Said or denied, the shared words tell which claim is echoed.
            let mentioned: BTreeSet<&str> = clause
                .words
                .iter()
                .chain(&clause.negated)
                .chain(&clause.denied)
                .copied()
                .collect();
            let echoed = self
                .echoes(&mentioned)
                .into_iter()
                .filter(|(_, w)| *w >= ECHO_WEIGHT)
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
            let Some(unit) = echoed.and_then(|(at, _)| self.clauses.get(at)) else {
                continue;
            };
            let opposite = clause.words.iter().any(|w| {
                !unit.words.contains(*w)
                    && opposites
                        .of(w)
                        .iter()
                        .any(|o| unit.words.contains(o) && !clause.words.contains(o.as_str()))
            });
            let denied = clause
                .denied
                .iter()
                .any(|w| unit.words.contains(*w) && !unit.negated.contains(*w) && !unit.denied.contains(*w));
            if opposite || denied {
                found.push(report(
                    ContradictionKind::OppositeClaim,
                    answer,
                    clause,
                    &unit.text,
                ));
            }
        }
        found
    }
}

/// The answer's clause as a contradiction of `reference`.
fn report(kind: ContradictionKind, answer: &str, clause: &Clause<'_>, reference: &str) -> Contradiction {
    Contradiction {
        kind,
        start: clause.start,
        end: clause.end,
        text: answer
            .get(clause.start..clause.end)
            .unwrap_or_default()
            .to_owned(),
        reference: reference.to_owned(),
    }
}

/// The two things a question contrasts: the content words on either side of
/// its first "and", "or", "vs" or "versus" that has content words on both
/// sides within one clause ("the difference between a process and a thread",
/// "pass by value and pass by reference"), minus the words both share.
fn contrast(question: &Analyzed) -> Option<[BTreeSet<String>; 2]> {
    let tokens = question.tokens();
    let content = |i: usize| {
        tokens
            .get(i)
            .is_some_and(|t| t.kind == TokenKind::Word && !t.stop && !is_filler(&t.norm))
    };
    let is_link = |i: usize| {
        tokens
            .get(i)
            .is_some_and(|t| CONTRAST_LINKS.contains(&t.norm.as_ref()))
    };
    for (i, token) in tokens.iter().enumerate() {
        if !matches!(token.norm.as_ref(), "and" | "or" | "vs" | "versus") {
            continue;
        }
        let same_clause = |j: usize| tokens.get(j).is_some_and(|t| t.clause == token.clause);
        // A side's words, read away from the "and" up to the first word
        // that is neither content nor a linking preposition.
        let side = |positions: &mut dyn Iterator<Item = usize>| -> BTreeSet<String> {
            let mut words = BTreeSet::new();
            for j in positions {
                if words.len() == MAX_CONTRAST_WORDS || !same_clause(j) {
                    break;
                }
                if content(j) {
                    words.insert(tokens[j].stem.to_string());
                } else if words.is_empty() || !is_link(j) {
                    break;
                }
            }
            words
        };
        let left = side(&mut (0..i).rev());
        // "a process and a thread": an article may open the right side.
        let first = i
            + 1
            + usize::from(
                tokens
                    .get(i + 1)
                    .is_some_and(|t| ARTICLES.contains(&t.norm.as_ref())),
            );
        let right = side(&mut (first..tokens.len()));
        let (left, right): (BTreeSet<String>, BTreeSet<String>) = (
            left.difference(&right).cloned().collect(),
            right.difference(&left).cloned().collect(),
        );
        if !left.is_empty() && !right.is_empty() {
            return Some([left, right]);
        }
    }
    None
}

/// Whether `analyzed` names one of `side`'s words.
fn mentions(analyzed: &Analyzed, side: &BTreeSet<String>) -> bool {
    analyzed.tokens().iter().any(|t| side.contains(t.stem.as_ref()))
}

/// The clauses of a text, each about the contrasted thing it names first,
/// or else the one its sentence named before. A word after a verb's
/// negation in its clause ("not", "never", "doesn't") is also denied, up to
/// a subordinate clause ([`SUBORDINATORS`]); "not only" and "not just" deny
/// nothing, and negated determiners ("no later path can beat it") say
/// nothing is so, which agrees with more claims than it denies.
fn clauses_of<'a>(analyzed: &'a Analyzed, contrast: Option<&[BTreeSet<String>; 2]>) -> Vec<Clause<'a>> {
    let tokens = analyzed.tokens();
    let mut clauses: Vec<Clause<'a>> = Vec::new();
    let mut key = None;
    let mut denying = false;
    for (i, token) in tokens.iter().enumerate() {
        if key != Some((token.sentence, token.clause)) {
            key = Some((token.sentence, token.clause));
            denying = false;
            clauses.push(Clause {
                words: BTreeSet::new(),
                negated: BTreeSet::new(),
                denied: BTreeSet::new(),
                subject: None,
                sentence: token.sentence,
                start: token.span.start,
                end: token.span.end,
            });
        }
        let Some(clause) = clauses.last_mut() else {
            continue;
        };
        clause.end = token.span.end;
        let stem = token.stem.as_ref();
        if clause.subject.is_none() {
            clause.subject = contrast.and_then(|c| c.iter().position(|side| side.contains(stem)));
        }
        let norm = token.norm.as_ref();
        if matches!(norm, "not" | "never" | "cannot") || norm.ends_with("n't") {
            let limiting = tokens
                .get(i + 1)
                .is_some_and(|t| matches!(t.norm.as_ref(), "only" | "just"));
            denying |= !limiting;
            // The cue is no claim of its own.
            continue;
        }
        if SUBORDINATORS.contains(&norm) {
            denying = false;
        }
        if token.kind != TokenKind::Word || token.stop || is_filler(norm) {
            continue;
        }
        if denying {
            clause.denied.insert(stem);
        }
        // A word the clause warns against ("it avoids making copies") is
        // one an answer may deny ("it does not copy") without contradicting it.
        if analyzed.is_rejected(i) {
            clause.negated.insert(stem);
        }
        if analyzed.is_negated(i) {
            clause.negated.insert(stem);
        } else {
            clause.words.insert(stem);
        }
    }
    // A clause that names neither thing is about the one its sentence named.
    let mut last: Option<(u32, usize)> = None;
    for clause in &mut clauses {
        match (clause.subject, last) {
            (Some(s), _) => last = Some((clause.sentence, s)),
            (None, Some((n, s))) if n == clause.sentence => clause.subject = Some(s),
            _ => {}
        }
    }
    clauses
}

/// Words by which a question asks for a complexity. Only then is a
/// complexity the answer: elsewhere an answer may give another case's ("a bad
/// hash function degrades lookups to linear time") and be right.
const COMPLEXITY_ASKED: &[&str] = &[
    "complexity",
    "big-o",
    "big o",
    "asymptotic",
    "running time",
    "run time",
    "worst case",
    "worst-case",
    "average case",
    "average-case",
    "best case",
    "best-case",
    "how fast",
    "how many",
];

/// Whether `question` asks for a complexity ([`COMPLEXITY_ASKED`]).
fn asks_for_complexity(question: &str) -> bool {
    let lower = question.to_lowercase();
    COMPLEXITY_ASKED.iter().any(|w| lower.contains(w))
}

/// The complexity expressions a text states, normalised (`O(log n)` and
/// "logarithmic time" both read `logn`), with their byte spans.
fn order_spans(text: &str) -> Vec<(String, (usize, usize))> {
    let mut found = Vec::new();
    let lower = text.to_lowercase();
    if lower.len() != text.len() {
        // Case folding moved byte offsets: read the original text only.
        return big_o(text);
    }
    found.extend(big_o(text));
    for (word, order) in [
        ("constant", "1"),
        ("logarithmic", "logn"),
        ("linear", "n"),
        ("linearithmic", "nlogn"),
        ("quadratic", "n^2"),
        ("cubic", "n^3"),
        ("exponential", "2^n"),
    ] {
        let mut from = 0;
        while let Some(at) = lower
            .get(from..)
            .and_then(|rest| rest.find(word))
            .map(|at| at + from)
        {
            from = at + word.len();
            let before_ok = lower[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric());
            let after = lower[from..].trim_start_matches([' ', '-']);
            let after_ok = ["time", "in ", "complexity", "cost", "number"]
                .iter()
                .any(|w| after.starts_with(w));
            if before_ok && after_ok {
                found.push((order.to_owned(), (at, from)));
            }
        }
    }
    found.sort_by_key(|(_, span)| *span);
    found
}

/// `O(...)`, `Θ(...)` and `Ω(...)` expressions, normalised.
fn big_o(text: &str) -> Vec<(String, (usize, usize))> {
    let mut found = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut previous: Option<char> = None;
    while let Some((at, c)) = chars.next() {
        let opens = matches!(c, 'O' | 'Θ' | 'θ' | 'Ω')
            && previous.is_none_or(|p| !p.is_alphanumeric())
            && chars.peek().is_some_and(|&(_, n)| n == '(');
        previous = Some(c);
        if !opens {
            continue;
        }
        let mut depth = 0usize;
        let mut inner = String::new();
        let mut end = None;
        for (i, ch) in text[at + c.len_utf8()..].char_indices() {
            if i > MAX_ORDER_LEN {
                break;
            }
            match ch {
                '(' => depth += 1,
                ')' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = Some(at + c.len_utf8() + i + 1);
                        break;
                    }
                }
                _ => inner.push(ch),
            }
        }
        if let Some(end) = end {
            found.push((normalise_order(&inner), (at, end)));
        }
    }
    found
}

/// Folds the spellings of one complexity together: case, spaces, `lg` and
/// `log2`/`log₂` for `log`, `²` for `^2`, `*` and `|` dropped (`O(|V| + |E|)`).
fn normalise_order(inner: &str) -> String {
    let folded: String = inner
        .to_lowercase()
        .replace('²', "^2")
        .replace('³', "^3")
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '·' | '|'))
        .collect();
    folded
        .replace("log_2", "log")
        .replace("log2", "log")
        .replace("log₂", "log")
        .replace("lg", "log")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(question: &str, reference: &str) -> (Analyzer, Vocabulary, Claims) {
        let analyzer = Analyzer::english();
        let vocabulary = Vocabulary::general(&analyzer);
        let claims = Claims::new(
            &analyzer,
            question,
            &[(reference, analyzer.analyze(reference))],
            |s| vocabulary.weight(s),
        );
        (analyzer, vocabulary, claims)
    }

    fn kinds(claims: &(Analyzer, Vocabulary, Claims), answer: &str) -> Vec<ContradictionKind> {
        let (analyzer, vocabulary, claims) = claims;
        claims
            .contradictions(answer, &analyzer.analyze(answer), vocabulary)
            .into_iter()
            .map(|c| c.kind)
            .collect()
    }

    /// The complexity expressions a text states, normalised.
    fn orders(text: &str) -> Vec<String> {
        order_spans(text).into_iter().map(|(order, _)| order).collect()
    }

    #[test]
    fn orders_are_read_and_normalised() {
        assert_eq!(orders("It is O(log n), not O( N^2 )."), ["logn", "n^2"]);
        assert_eq!(orders("O(lg n) and Θ(n log₂ n)"), ["logn", "nlogn"]);
        assert_eq!(orders("linear time, but linear probing"), ["n"]);
        assert_eq!(orders("FOO(n) is no order"), Vec::<String>::new());
    }

    #[test]
    fn another_complexity_contradicts_and_the_same_one_does_not() {
        let c = claims(
            "What is the worst-case time of a search in an unbalanced binary search tree?",
            "O(n), because sorted inserts make the tree a chain.",
        );
        assert_eq!(
            kinds(&c, "It is O(log n) since each step halves the tree."),
            [ContradictionKind::OtherValue]
        );
        // The report quotes the reference's complexity as it was written.
        let (analyzer, vocabulary, claims) = &c;
        let answer = "It is O(log n) since each step halves the tree.";
        let found = claims.contradictions(answer, &analyzer.analyze(answer), vocabulary);
        assert_eq!(found[0].text, "O(log n)");
        assert_eq!(found[0].reference, "O(n)");
        assert!(kinds(
            &c,
            "Linear time: sorted inserts make a chain, unlike the O(log n) of a balanced tree."
        )
        .is_empty());
        assert!(kinds(&c, "O(n) when the keys arrive sorted.").is_empty());
    }

    #[test]
    fn another_complexity_is_no_contradiction_where_none_is_asked_for() {
        let c = claims(
            "Why does a hash table need a good hash function?",
            "It spreads keys evenly, so lookups stay constant time on average.",
        );
        assert!(kinds(
            &c,
            "Otherwise keys pile up in one bucket and lookups degrade to linear time."
        )
        .is_empty());
    }

    #[test]
    fn swapped_roles_contradict() {
        let c = claims(
            "What is the difference between a compiler and an interpreter?",
            "A compiler translates the whole program into machine code ahead of time. \
             An interpreter executes the source statement by statement at run time.",
        );
        assert_eq!(
            kinds(&c, "An interpreter translates the whole program to machine code ahead of time, while a compiler executes the source statement by statement."),
            [ContradictionKind::SwappedRoles, ContradictionKind::SwappedRoles]
        );
        assert!(kinds(&c, "A compiler turns the whole program into machine code before it runs; an interpreter executes statement by statement.").is_empty());
    }

    #[test]
    fn a_contrasted_name_may_hold_a_preposition() {
        let analyzer = Analyzer::english();
        let sides = contrast(
            &analyzer.analyze("Explain the difference between pass by value and pass by reference."),
        );
        let stems = |words: &[&str]| -> BTreeSet<String> { words.iter().map(|w| analyzer.stem(w)).collect() };
        assert_eq!(sides, Some([stems(&["value"]), stems(&["reference"])]));
        let c = claims(
            "Explain the difference between pass by value and pass by reference.",
            "With pass by value the function receives a copy of the argument. \
             With pass by reference the parameter is an alias for the caller's variable.",
        );
        assert!(kinds(
            &c,
            "by value: the function gets a copy. by reference: it gets an alias of the variable"
        )
        .is_empty());
        assert_eq!(
            kinds(&c, "Pass by reference gives the function a copy of the argument."),
            [ContradictionKind::SwappedRoles]
        );
    }

    #[test]
    fn an_opposite_word_in_an_echoing_clause_contradicts() {
        let c = claims(
            "How does aging prevent starvation?",
            "Aging slowly raises the priority of a process the longer it waits in the ready queue.",
        );
        assert_eq!(
            kinds(
                &c,
                "Aging lowers the priority of a process the longer it waits in the ready queue."
            ),
            [ContradictionKind::OppositeClaim]
        );
        assert!(kinds(
            &c,
            "Aging bumps a waiting process's priority up the longer it waits in the ready queue."
        )
        .is_empty());
    }

    #[test]
    fn a_denial_stops_at_a_subordinate_clause() {
        let c = claims(
            "What changes when a local array is declared static?",
            "It is allocated once, when its enclosing function is first invoked, \
             and keeps its values between invocations.",
        );
        // "not" denies "freed", not the invocation the "when" clause names.
        assert!(kinds(
            &c,
            "It is not freed when its enclosing function is invoked again."
        )
        .is_empty());
        assert_eq!(
            kinds(&c, "It doesn't keep its values between invocations."),
            [ContradictionKind::OppositeClaim]
        );
    }

    #[test]
    fn denying_what_the_reference_warns_against_agrees() {
        let c = claims(
            "Why pass a large structure to a function by reference?",
            "Passing by reference avoids copying the whole structure on every call.",
        );
        assert!(kinds(&c, "The function does not copy the whole structure on each call.").is_empty());
    }

    #[test]
    fn denying_what_the_reference_affirms_contradicts() {
        let c = claims(
            "What does TCP guarantee that UDP does not?",
            "Lost packets are retransmitted, and the data arrives in the order it was sent.",
        );
        assert_eq!(
            kinds(
                &c,
                "Lost packets are resent, while the data doesn't arrive in the order it was sent."
            ),
            [ContradictionKind::OppositeClaim]
        );
        assert!(kinds(&c, "Lost packets are sent again and the data arrives in order.").is_empty());
    }
}
