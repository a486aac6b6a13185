//! Negation and dismissal scopes: where a term is only named to be rejected.
//!
//! A *cue* ("never", "don't", "without", "instead of", "is overkill", "is a bad
//! idea", …) opens a [`Scope`] over the words it governs. Forward cues govern
//! the rest of their clause ("I **never** bother with EXPLAIN"), continuing
//! across commas while the list goes on ("no EXPLAIN, indexes, or caching");
//! backward cues govern the clause before them ("EXPLAIN **is overkill**").
//!
//! Two kinds, because the scorer needs both:
//! - [`ScopeKind::Negation`] says the writer does not do or value the thing:
//!   a concept named there is *dismissed*, a bad practice named there is
//!   *rejected*.
//! - [`ScopeKind::Rejection`] says the thing is to be avoided ("avoid N+1
//!   queries", "rather than a big-bang rewrite", "which is dangerous"): a bad
//!   practice named there is rejected, but a concept named there still shows
//!   knowledge, so it is not dismissed.
//!
//! # Example
//!
//! ```
//! use assay::text::{Analyzer, ScopeKind};
//!
//! let analyzed = Analyzer::english().analyze("Circuit breakers are overkill, I just retry.");
//! let scope = &analyzed.scopes()[0];
//! assert_eq!(scope.kind, ScopeKind::Negation);
//! assert!(scope.covers(0) && scope.covers(1)); // "circuit breakers"
//! assert!(!scope.covers(6)); // "retry"
//! ```

use rustc_hash::FxHashSet as HashSet;
use std::sync::OnceLock;

use super::{Token, TokenKind};

/// What a scope does to the terms inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ScopeKind {
    /// The writer does not do, need or value the thing ("never", "no", "is overkill").
    Negation,
    /// The writer warns against the thing ("avoid", "instead of", "is dangerous").
    Rejection,
}

/// A stretch of tokens governed by a negation or rejection cue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// What the cue does.
    pub kind: ScopeKind,
    /// Token indices of the cue itself, `cue.0..=cue.1`.
    pub cue: (usize, usize),
    /// Token indices governed by the cue, `governed.0..=governed.1`.
    pub governed: (usize, usize),
    /// The scope reaches back through an object pronoun to what the
    /// sentence named before ("X is overkill, so we skip them"): it
    /// restates a judgement of that thing rather than judging another cue.
    pub anaphoric: bool,
}

impl Scope {
    /// Whether token `index` is governed by this scope.
    pub fn covers(&self, index: usize) -> bool {
        self.governed.0 <= index && index <= self.governed.1
    }

    /// Whether the cue lies entirely outside tokens `first..=last`.
    ///
    /// A cue inside a matched phrase is part of that phrase ("no backups"),
    /// not a negation of it.
    pub fn cue_outside(&self, first: usize, last: usize) -> bool {
        self.cue.1 < first || self.cue.0 > last
    }

    /// Whether this scope negates or rejects a phrase matched at tokens
    /// `first..=last` whose own words have the stems `phrase_terms`.
    ///
    /// A cue that is one of the phrase's own words is part of it ("no
    /// backups"); a foreign negator inside the span negates it ("it's not
    /// perfect for everything"); a cue outside negates it when it governs
    /// any of its tokens.
    pub fn governs_phrase(
        &self,
        first: usize,
        last: usize,
        tokens: &[Token],
        phrase_terms: &[String],
    ) -> bool {
        let cue_inside = self.cue.0 >= first && self.cue.1 <= last;
        if cue_inside {
            let own = (self.cue.0..=self.cue.1).all(|i| {
                tokens
                    .get(i)
                    .is_some_and(|t| phrase_terms.iter().any(|p| *p == t.stem))
            });
            return !own;
        }
        self.governs_match(first, last)
    }

    /// Whether this scope only denies a fact ("the original can't be
    /// changed", "a linked list does not store nodes side by side") rather
    /// than dismissing the thing: a
    /// bare negator governing what follows it, not followed by a verb of
    /// need or value ("don't need", "never bother"). A dismissal names the
    /// thing to reject it ("X is overkill", "we skip X", "we've never needed
    /// them"); a denial is a claim, true or false, about the thing.
    pub fn is_denial(&self, tokens: &[Token]) -> bool {
        if self.kind != ScopeKind::Negation || self.cue.0 != self.cue.1 || self.governed.0 <= self.cue.1 {
            return false;
        }
        let Some(cue) = tokens.get(self.cue.0) else {
            return false;
        };
        let word = &*cue.norm;
        if !FORWARD_NEGATIONS.contains(&word) || JUDGING_NEGATIONS.contains(&word) {
            return false;
        }
        !tokens
            .get(self.cue.1 + 1..)
            .unwrap_or_default()
            .iter()
            .filter(|t| t.kind == TokenKind::Word)
            .take(2)
            .any(|t| VALUING_VERBS.contains(&&*t.norm))
    }

    /// Whether this scope negates or rejects any of tokens `first..=last`
    /// through a cue outside them.
    pub fn governs_match(&self, first: usize, last: usize) -> bool {
        self.cue_outside(first, last) && (first..=last).any(|i| self.covers(i))
    }
}

/// Single-word cues that negate what follows.
const FORWARD_NEGATIONS: &[&str] = &[
    "aren't",
    "arent",
    "can't",
    "cannot",
    "cant",
    "couldn't",
    "couldnt",
    "didn't",
    "didnt",
    "doesn't",
    "doesnt",
    "don't",
    "dont",
    "forgo",
    "hadn't",
    "hasn't",
    "haven't",
    "ignore",
    "ignored",
    "ignores",
    "ignoring",
    "isn't",
    "isnt",
    "mustn't",
    "needn't",
    "neither",
    "never",
    "no",
    "none",
    "nor",
    "not",
    "omit",
    "omitted",
    "shouldn't",
    "shouldnt",
    "skip",
    "skipped",
    "skipping",
    "skips",
    "wasn't",
    "weren't",
    "without",
    "won't",
    "wouldn't",
    "wouldnt",
    "disable",
    "disabled",
    "disables",
    "disabling",
];

/// Single-word cues that warn against what follows.
const FORWARD_REJECTIONS: &[&str] = &[
    "against",
    "avoid",
    "avoided",
    "avoiding",
    "avoids",
    "ban",
    "banned",
    "bans",
    "block",
    "blocks",
    "catch",
    "detect",
    "detecting",
    "detects",
    "disallow",
    "disallows",
    "eliminate",
    "eliminated",
    "eliminates",
    "eliminating",
    "forbid",
    "forbidden",
    "forbidding",
    "forbids",
    "prevent",
    "prevented",
    "preventing",
    "prevents",
    "prohibit",
    "prohibiting",
    "prohibits",
    "refuse",
    "refuses",
    "refusing",
    "reject",
    "rejecting",
    "rejects",
    "replace",
    "replaced",
    "replaces",
    "replacing",
    "stop",
    "stopped",
    "stopping",
    "stops",
];

/// Drops from `governing` (the scopes that govern one match) each scope
/// that reaches back through a pronoun over another governing cue: "X is
/// overkill, so we skip them" judges X once, where nested cues ("we never
/// skip X") cancel.
pub fn drop_restatements(governing: &mut Vec<&Scope>) {
    let cues: Vec<usize> = governing
        .iter()
        .filter(|s| !s.anaphoric)
        .map(|s| s.cue.0)
        .collect();
    governing.retain(|s| !s.anaphoric || !cues.iter().any(|&cue| s.covers(cue)));
}

/// Forward negations that judge what they govern rather than deny it
/// ("we skip X", "ignore X"): every other one of [`FORWARD_NEGATIONS`] is a
/// bare negator ([`Scope::is_denial`]).
const JUDGING_NEGATIONS: &[&str] = &[
    "disable",
    "disabled",
    "disables",
    "disabling",
    "forgo",
    "ignore",
    "ignored",
    "ignores",
    "ignoring",
    "omit",
    "omitted",
    "skip",
    "skipped",
    "skipping",
    "skips",
];

/// Verbs of opinion a negator is raised over: "I don't think it's needed"
/// means "I think it's not needed".
const NEG_RAISERS: &[&str] = &["believe", "feel", "reckon", "suppose", "think"];

/// Verbs of need or value: after a bare negator they dismiss what follows
/// ("don't need", "never bother with", "don't care about").
const VALUING_VERBS: &[&str] = &[
    "bother", "bothered", "care", "cared", "need", "needed", "needs", "worry", "worried",
];

/// Two-word cues that negate what follows ("turn off verification").
const FORWARD_NEGATION_PAIRS: &[(&str, &str)] = &[
    ("turn", "off"),
    ("turned", "off"),
    ("turning", "off"),
    ("switch", "off"),
    ("switched", "off"),
];

/// Two-word cues that warn against what follows.
const FORWARD_REJECTION_PAIRS: &[(&str, &str)] = &[
    ("instead", "of"),
    ("rather", "than"),
    ("away", "from"),
    ("rid", "of"),
    ("off", "of"),
    ("wary", "of"),
    ("beware", "of"),
    ("skeptical", "of"),
    ("sceptical", "of"),
    ("suspicious", "of"),
    ("push", "back"),
    ("pushed", "back"),
    ("pushes", "back"),
    ("pushing", "back"),
];

/// Possessives before a subject noun that may abandon a habit ("our team
/// used to …").
const POSSESSIVES: &[&str] = &["my", "our", "the"];

/// Whether "used" at `i` says a habit its subject has left ("we used to
/// patch the box by hand"): followed by "to", after a subject pronoun or a
/// possessive's noun. "The tool is used to deploy" abandons nothing.
fn abandoned_habit(tokens: &[Token], i: usize) -> bool {
    let word = |j: usize| tokens.get(j).map(|t| &*t.norm);
    if word(i) != Some("used") || word(i + 1) != Some("to") || i == 0 {
        return false;
    }
    let subject = word(i - 1).is_some_and(|w| SUBJECTS.contains(&w));
    let possessed = i >= 2 && word(i - 2).is_some_and(|w| POSSESSIVES.contains(&w));
    subject || possessed
}

/// Contractions of "would" with a subject ("I'd have told you …").
const WOULD_CONTRACTIONS: &[&str] = &["i'd", "we'd", "you'd", "they'd", "he'd", "she'd"];

/// Verbs of saying or believing that, after "would have", report a view
/// the speaker no longer holds ("a few years ago I'd have told you X").
const RETRACTED_VERBS: &[&str] = &[
    "agreed", "argued", "believed", "claimed", "insisted", "said", "sworn", "thought", "told",
];

/// If the token at `i` opens a view its speaker has given up ("I'd have
/// told you Django had no downsides", "we would have said so"): "would" or
/// its contraction, "have" and one of [`RETRACTED_VERBS`], the index of
/// that verb. Like a habit left behind, what follows to the end of the
/// sentence is not what the speaker holds now.
fn retracted_view(tokens: &[Token], i: usize) -> Option<usize> {
    let word = |j: usize| tokens.get(j).map(|t| &*t.norm);
    let modal = word(i).is_some_and(|w| w == "would" || WOULD_CONTRACTIONS.contains(&w));
    (modal && word(i + 1) == Some("have") && word(i + 2).is_some_and(|w| RETRACTED_VERBS.contains(&w)))
        .then_some(i + 2)
}

/// Words after which the governed clause lies *before* the cue (negation).
const BACKWARD_NEGATIONS: &[&str] = &[
    "irrelevant",
    "needless",
    "overhyped",
    "overkill",
    "overrated",
    "pointless",
    "unnecessary",
    "unneeded",
    "useless",
    "waste",
];

/// Words after which the governed clause lies *before* the cue (rejection).
const BACKWARD_REJECTIONS: &[&str] = &[
    "antipattern",
    "antipatterns",
    "costly",
    "dangerous",
    "expensive",
    "footgun",
    "footguns",
    "harmful",
    "insecure",
    "irresponsible",
    "liability",
    "mistake",
    "mistakes",
    "pitfall",
    "pitfalls",
    "reckless",
    "risky",
    "tempting",
    "trap",
    "unacceptable",
    "unsafe",
    "wrong",
];

/// Evaluative words that turn a preceding negator into a backward cue
/// ("EXPLAIN is not needed", "contracts don't matter").
const EVALUATIVES: &[&str] = &[
    "acceptable",
    "care",
    "helpful",
    "important",
    "matter",
    "matters",
    "necessary",
    "needed",
    "ok",
    "okay",
    "relevant",
    "required",
    "safe",
    "secure",
    "useful",
    "worth",
    "worthwhile",
];

/// Predicates that dismiss their subject when they follow a copula ("X is
/// academic", "X are just hype"). Only after a copula: "the legacy monolith"
/// dismisses nothing.
const DISMISSIVE_PREDICATES: &[&str] = &[
    "academic",
    "bloat",
    "bloated",
    "buzzword",
    "buzzwords",
    "bureaucracy",
    "busywork",
    "ceremony",
    "clutter",
    "distraction",
    "dogma",
    "dogmatic",
    "excuse",
    "fad",
    "fluff",
    "gimmick",
    "hype",
    "hyped",
    "legacy",
    "luxury",
    "magic",
    "myth",
    "nonsense",
    "obsolete",
    "optional",
    "outdated",
    "overblown",
    "overcomplicated",
    "overcomplicating",
    "overengineered",
    "overengineering",
    "overthinking",
    "paranoia",
    "paranoid",
    "pedantic",
    "pedantry",
    "premature",
    "theater",
    "theatre",
    "theoretical",
    "trivia",
];

/// Passive rejections: after a copula the subject is what gets refused
/// ("tokens with alg none are rejected", "plain HTTP is blocked"), so an
/// advocating phrase in the subject is not advocated.
const PASSIVE_REJECTIONS: &[&str] = &[
    "blocked",
    "denied",
    "disallowed",
    "forbidden",
    "prohibited",
    "refused",
    "rejected",
];

/// Copulas: what links a subject to its dismissive predicate.
const COPULA: &[&str] = &[
    "'re", "'s", "are", "be", "been", "get", "gets", "got", "is", "seem", "seems", "sound", "sounds", "was",
    "were",
];

/// Whether `word` is a copula, alone or contracted onto its subject
/// ("it's", "they're").
fn is_copula(word: &str) -> bool {
    COPULA.contains(&word) || word.ends_with("'s") || word.ends_with("'re")
}

/// Words that may stand between a copula and its predicate ("are mostly just a").
const COPULA_FILLERS: &[&str] = &[
    "a",
    "all",
    "an",
    "basically",
    "far",
    "honestly",
    "just",
    "kind",
    "largely",
    "mostly",
    "of",
    "often",
    "overly",
    "pretty",
    "pure",
    "purely",
    "really",
    "simply",
    "so",
    "some",
    "sort",
    "too",
    "totally",
    "usually",
    "very",
    "way",
];

/// Verbs that dismiss their subject with a following particle or object:
/// "X slows teams down", "X adds too much process", "X gets in the way".
const DISMISSIVE_VERBS: &[(&str, &[&str])] = &[
    ("slow", &["down"]),
    ("slows", &["down"]),
    (
        "add",
        &[
            "overhead",
            "complexity",
            "process",
            "ceremony",
            "clutter",
            "friction",
            "bloat",
        ],
    ),
    (
        "adds",
        &[
            "overhead",
            "complexity",
            "process",
            "ceremony",
            "clutter",
            "friction",
            "bloat",
        ],
    ),
    ("get", &["way"]),
    ("gets", &["way"]),
];

/// The particles of [`DISMISSIVE_VERBS`]: they dismiss only with an object
/// between ("slows the team down").
const PARTICLES: &[&str] = &["down"];

/// Verbs too light to be what a negation is about: "things I wouldn't do: …".
const LIGHT_VERBS: &[&str] = &[
    "accept",
    "allow",
    "do",
    "like",
    "recommend",
    "suggest",
    "tolerate",
    "use",
    "want",
];

/// Clause openers across which a negated pronoun reaches back to what it
/// stands for ("X is nice in talks, but we've never needed them").
const REACH_BACK_OPENERS: &[&str] = &["although", "and", "but", "though", "yet"];

/// Object pronouns: a negation governing one of these refers back to what the
/// sentence named before ("we've never needed them").
const OBJECT_PRONOUNS: &[&str] = &["it", "them", "those", "these", "either", "any"];

/// The fewest content words before a negation's cue, in its clause, that hold
/// what a pronoun it governs stands for: "check whether the record exists
/// and skip it" skips the record, not what the sentence named before the comma.
const ANTECEDENT_IN_CLAUSE: usize = 3;

/// Pronouns that negate what their clause goes on to say when they are its
/// subject ("nobody wants to risk a rehearsal", "nothing expires"); inside
/// a clause they describe a noun ("a runbook nobody rehearses would fail")
/// or are an object ("it returns nothing").
const SUBJECT_NEGATORS: &[&str] = &["nobody", "nothing"];

/// Words by which a [`SUBJECT_NEGATORS`] subject praises what follows:
/// "nothing beats a restore test" and "nothing wrong with a per-user key"
/// value what they name.
const PRAISE_WORDS: &[&str] = &[
    "beat",
    "beats",
    "compare",
    "compares",
    "like",
    "match",
    "matches",
    "outperform",
    "outperforms",
    "outweigh",
    "outweighs",
    "replace",
    "replaces",
    "rival",
    "rivals",
    "substitute",
    "substitutes",
    "trump",
    "trumps",
    "wrong",
];

/// Verbs after which a pronoun is the subject of its clause, not an object.
const AUXILIARIES: &[&str] = &[
    "is", "was", "are", "were", "has", "had", "have", "does", "did", "do", "will", "would", "can", "could",
    "should", "may", "might", "must",
];

/// Adjectives that make "idea" / "practice" / "pattern" a backward rejection.
const BAD_ADJECTIVES: &[&str] = &[
    "anti", "awful", "bad", "horrible", "poor", "terrible", "dumb", "red",
];

/// Nouns that take a [`BAD_ADJECTIVES`] word to form a rejection ("bad idea", "red flag").
const BAD_NOUNS: &[&str] = &["idea", "practice", "pattern", "flag", "habit"];

/// Nouns naming a practice to avoid. After a copula they judge what came
/// before ("X is a mistake", [`BACKWARD_REJECTIONS`]); as a subject, what
/// follows its copula ("the classic mistake is X", [`judging_subject`]).
const REJECTION_NOUNS: &[&str] = &[
    "antipattern",
    "antipatterns",
    "footgun",
    "footguns",
    "mistake",
    "mistakes",
    "pitfall",
    "pitfalls",
    "trap",
    "traps",
];

/// Superlatives that make a following noun a practice to avoid ("the worst
/// thing you can do is X").
const WORST: &[&str] = &["worst"];

/// Nouns a [`WORST`] word turns into a practice to avoid.
const WORST_NOUNS: &[&str] = &[
    "idea", "ideas", "mistake", "mistakes", "practice", "thing", "things", "habit",
];

/// Most words between a judging subject's noun and its copula ("the
/// mistake I see teams make is X").
const MAX_SUBJECT_TAIL: usize = 5;

/// Words after a negator that cancel it ("not only", "no matter").
const NEGATION_CANCELLERS: &[&str] = &["doubt", "just", "matter", "merely", "one", "only"];

/// Negators the cancellers apply to: "never just" still negates.
const CANCELLABLE: &[&str] = &["no", "not"];

/// Relative pronouns: a negation right after one describes its antecedent,
/// and a relative clause goes with the object a rejection governs.
pub(crate) const RELATIVES: &[&str] = &["that", "which", "who"];

/// How many words before a relative pronoun a relative clause's judgement
/// reaches: its antecedent ("the flaky tests that slow us down").
const ANTECEDENT_WORDS: usize = 3;

/// Words before "not" that make it elliptical: "if not", "whether or not".
const ELLIPSIS_OPENERS: &[&str] = &["if", "or", "whether"];

/// Words that end a negation's reach: what follows is the exception or the
/// limit, not what is negated ("never share secrets outside the vault",
/// "don't cut over until validation passes").
const SCOPE_LIMITS: &[&str] = &[
    "above",
    "after",
    "before",
    "beyond",
    "besides",
    "except",
    "exceeding",
    "outside",
    "past",
    "than",
    "until",
    "unless",
];

/// The [`SCOPE_LIMITS`] that end a rejection's reach: exceptions. Where a
/// practice is warned against, "after", "before" or "outside" belong to it
/// ("the trap is retrying a payment after a timeout with no key").
const EXCEPTION_LIMITS: &[&str] = &["besides", "except", "than", "until", "unless"];

/// Words that open a contrasting list item: "don't alert on every spike, only on symptoms".
const CONTRAST_OPENERS: &[&str] = &["just", "only", "rather", "instead", "merely"];

/// Pronouns that, after "and"/"or", start a new clause and end a scope.
const SUBJECTS: &[&str] = &["he", "i", "it", "she", "they", "we", "you"];

/// Anaphoric openers: a backward cue in a clause opening with these reaches
/// back into the previous clause ("we retry blindly, which is dangerous").
const ANAPHORS: &[&str] = &["both", "it", "that", "these", "this", "those", "which"];

/// Most words of a rejected object before a relative clause that goes with
/// it ("wary of anyone who …", "skeptical of caches that …").
const MAX_RELATIVE_OBJECT: usize = 3;

/// Longest forward scope, in tokens.
const MAX_FORWARD: usize = 12;

/// Verbs that blame their subject for a harm ("skipping the dry run caused
/// an outage", "a shared database couples every deployment"), each with the
/// particle it needs, if any ("led to", "resulted in").
const CONSEQUENCE_VERBS: &[(&str, Option<&str>)] = &[
    ("bit", None),
    ("bites", None),
    ("broke", None),
    ("breaks", None),
    ("cause", None),
    ("caused", None),
    ("causes", None),
    ("cost", None),
    ("costs", None),
    ("couples", None),
    ("die", None),
    ("dies", None),
    ("exhausts", None),
    ("exposes", None),
    ("leaks", None),
    ("loses", None),
    ("slows", None),
    ("wastes", None),
    ("lead", Some("to")),
    ("leads", Some("to")),
    ("led", Some("to")),
    ("result", Some("in")),
    ("resulted", Some("in")),
    ("results", Some("in")),
];

/// [`CONSEQUENCE_VERBS`] that are nouns as often as verbs ("a bit", "the
/// cost", "memory leaks"): they blame only a gerund subject, which a negator marks, never
/// any subject ([`harmful_subject`]).
const NOUN_LIKE_CONSEQUENCES: &[&str] = &["bit", "bites", "cost", "costs", "leaks"];

/// Longest subject [`harmful_subject`] rejects, in tokens: room for a
/// gerund, its object and a place ("creating indexes on all the columns up
/// front wastes memory"). 8 rather than 6 since 1.42.0, measured on the
/// honest flag probes.
const MAX_SUBJECT: usize = 8;

/// Determiners: a bare [`CONSEQUENCE_VERBS`] form just after one is a noun.
const DETERMINERS: &[&str] = &[
    "a", "an", "each", "every", "her", "his", "its", "my", "one", "our", "the", "their", "this", "your",
];

/// Words that deny a harm when they stand just before its verb ("never
/// causes", "rarely leads to").
const HARM_DENIERS: &[&str] = &["hardly", "rarely", "seldom"];

/// Negators of a noun rather than a verb: "no backups", "no tests".
const NOUN_NEGATORS: &[&str] = &["neither", "no", "none", "nor", "without"];

/// Words a gerund subject may follow and still open its clause ("because
/// skipping the dry run caused …", "we learned that skipping it costs …").
const SUBJECT_OPENERS: &[&str] = &[
    "although", "and", "as", "because", "but", "how", "since", "so", "that", "though", "when", "where",
    "whereas", "while", "why",
];

/// Whether `word` can start or end a cue: one hash lookup that lets
/// [`find_scopes`] skip the lexicons for the great majority of words.
fn is_cue_word(word: &str) -> bool {
    static CUES: OnceLock<HashSet<&'static str>> = OnceLock::new();
    CUES.get_or_init(|| {
        let lists: [&[&'static str]; 8] = [
            FORWARD_NEGATIONS,
            FORWARD_REJECTIONS,
            BACKWARD_NEGATIONS,
            BACKWARD_REJECTIONS,
            DISMISSIVE_PREDICATES,
            PASSIVE_REJECTIONS,
            BAD_ADJECTIVES,
            WORST,
        ];
        let mut set: HashSet<&'static str> = lists.iter().flat_map(|l| l.iter().copied()).collect();
        set.extend(FORWARD_NEGATION_PAIRS.iter().map(|(a, _)| *a));
        set.extend(FORWARD_REJECTION_PAIRS.iter().map(|(a, _)| *a));
        set.extend(DISMISSIVE_VERBS.iter().map(|(v, _)| *v));
        set.insert("too");
        set.insert("instead");
        set.insert("how");
        set.extend(SUBJECT_NEGATORS);
        set.insert("used");
        set.insert("would");
        set.extend(WOULD_CONTRACTIONS);
        set.extend(
            CONSEQUENCE_VERBS
                .iter()
                .map(|(v, _)| *v)
                .filter(|v| !NOUN_LIKE_CONSEQUENCES.contains(v)),
        );
        set
    })
    .contains(word)
}

/// Finds every negation and rejection scope in `tokens`.
pub fn find_scopes(tokens: &[Token]) -> Vec<Scope> {
    let mut scopes = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let word = &*tokens[i].norm;
        let next = tokens.get(i + 1).map(|t| &*t.norm);
        let same_clause_next = tokens.get(i + 1).is_some_and(|t| t.clause == tokens[i].clause);
        if tokens[i].kind != TokenKind::Word || !is_cue_word(word) {
            i += 1;
            continue;
        }
        if FORWARD_NEGATION_PAIRS
            .iter()
            .any(|(a, b)| *a == word && next == Some(*b))
        {
            push_forward(&mut scopes, tokens, ScopeKind::Negation, (i, i + 1));
            i += 2;
            continue;
        }
        if let Some(scope) = replaced_before(tokens, &scopes, i) {
            // "Build args end up in the image history, so we pass secrets
            // with secret mounts instead."
            scopes.push(scope);
            i += 1;
            continue;
        }
        if abandoned_habit(tokens, i) {
            // "We used to patch the box by hand, which skipped review": the
            // whole sentence tells the habit left behind.
            let end = sentence_end(tokens, i);
            if i + 2 <= end {
                scopes.push(Scope {
                    kind: ScopeKind::Rejection,
                    cue: (i, i + 1),
                    governed: (i + 2, end),
                    anaphoric: false,
                });
            }
            i += 2;
            continue;
        }
        if let Some(verb) = retracted_view(tokens, i) {
            // "A few years ago I'd have told you it had no downsides."
            let end = sentence_end(tokens, i);
            if verb < end {
                scopes.push(Scope {
                    kind: ScopeKind::Rejection,
                    cue: (i, verb),
                    governed: (verb + 1, end),
                    anaphoric: false,
                });
            }
            i = verb + 1;
            continue;
        }
        if FORWARD_REJECTION_PAIRS
            .iter()
            .any(|(a, b)| *a == word && next == Some(*b))
        {
            push_forward(&mut scopes, tokens, ScopeKind::Rejection, (i, i + 1));
            i += 2;
            continue;
        }
        if FORWARD_NEGATIONS.contains(&word) || is_negating_subject(tokens, i) {
            let elliptical = word == "not" && i > 0 && ELLIPSIS_OPENERS.contains(&&*tokens[i - 1].norm);
            let cancelled =
                CANCELLABLE.contains(&word) && next.is_some_and(|n| NEGATION_CANCELLERS.contains(&n));
            if elliptical {
                i += 1;
                continue;
            }
            if cancelled {
                i += 2;
                continue;
            }
            if let Some(verb) = gerund_cause(tokens, i) {
                // "Skipping the dry run caused an outage": the writer blames
                // leaving it out, so the practice of skipping is rejected and
                // the thing skipped is valued, not dismissed.
                scopes.push(Scope {
                    kind: ScopeKind::Rejection,
                    cue: verb,
                    governed: (i, verb.0 - 1),
                    anaphoric: false,
                });
                i = verb.1 + 1;
                continue;
            }
            // "X is not needed": the negator governs what came before.
            let evaluative_at = [i + 1, i + 2]
                .into_iter()
                .find(|&j| tokens.get(j).is_some_and(|t| EVALUATIVES.contains(&&*t.norm)))
                .or_else(|| raised_evaluative(tokens, i));
            if let Some(j) = evaluative_at.filter(|_| same_clause_next) {
                let kind = match &*tokens[j].norm {
                    "safe" | "secure" | "acceptable" | "ok" | "okay" => ScopeKind::Rejection,
                    _ => ScopeKind::Negation,
                };
                push_backward(&mut scopes, tokens, kind, (i, j));
                let pronouns: Vec<usize> = (i + 2..j)
                    .chain(j + 1..j + 3)
                    .filter(|&k| {
                        tokens.get(k).is_some_and(|t| t.clause == tokens[j].clause)
                            && is_object_pronoun(tokens, k)
                    })
                    .collect();
                if !pronouns.is_empty() && may_reach_back(tokens, i, &pronouns) {
                    // "we've never needed them": back to what "them" stands for.
                    if let Some(last) = scopes.last_mut().filter(|s| s.cue == (i, j)) {
                        last.governed.0 = sentence_start(tokens, i);
                        last.anaphoric = true;
                    }
                }
                i = j + 1;
                continue;
            }
            if denies_identity(tokens, i) || negates_a_harm(tokens, i) {
                // "The replica is for failover, not our backup", "RAID does
                // not count as a backup", "the deploy role cannot delete
                // backups": what follows is refused as a description or
                // kept from harm, not dismissed.
                push_forward(&mut scopes, tokens, ScopeKind::Rejection, (i, i));
                i += 1;
                continue;
            }
            if is_copular_not(tokens, i) {
                // "Bumping the memory is not a fix" rejects its subject; it
                // dismisses neither the subject (the concept may be named
                // fine) nor the predicate ("replication is not a backup").
                push_backward(&mut scopes, tokens, ScopeKind::Rejection, (i, i));
                i += 1;
                continue;
            }
            // "Clients that don't use backoff create retry storms" describes
            // someone else's bad practice: a rejection, not a dismissal.
            let relative = follows_relative(tokens, i);
            let kind = if relative {
                ScopeKind::Rejection
            } else {
                ScopeKind::Negation
            };
            push_forward(&mut scopes, tokens, kind, (i, i));
            let pronouns: Vec<usize> = governed_pronouns(tokens, scopes.last(), i)
                .into_iter()
                .filter(|&k| ends_object(tokens, k))
                .collect();
            if !relative && !pronouns.is_empty() && may_reach_back(tokens, i, &pronouns) {
                // "Circuit breakers are nice in talks, but we've never needed them."
                push_backward(&mut scopes, tokens, ScopeKind::Negation, (i, i));
                if let Some(last) = scopes.last_mut() {
                    last.governed.0 = sentence_start(tokens, i);
                    last.anaphoric = true;
                }
            }
        } else if let Some(cue_start) = after_copula(tokens, i, PASSIVE_REJECTIONS) {
            push_backward(&mut scopes, tokens, ScopeKind::Rejection, (cue_start, i));
        } else if FORWARD_REJECTIONS.contains(&word) {
            push_forward(&mut scopes, tokens, ScopeKind::Rejection, (i, i));
        } else if let Some(cue_start) = after_copula(tokens, i, DISMISSIVE_PREDICATES) {
            push_backward(&mut scopes, tokens, ScopeKind::Negation, (cue_start, i));
        } else if let Some((cue_start, end)) = too_much_to(tokens, i) {
            // "staging was too slow to bother with": what is too much to do is not done.
            push_backward(&mut scopes, tokens, ScopeKind::Negation, (cue_start, end));
            i = end + 1;
            continue;
        } else if let Some(end) = dismissive_verb(tokens, i) {
            if follows_relative(tokens, i) {
                // "pick the items that slow us down": the relative clause
                // describes its antecedent as a cost, it dismisses nothing.
                push_backward(&mut scopes, tokens, ScopeKind::Rejection, (i - 1, end));
                if let Some(last) = scopes.last_mut().filter(|s| s.cue == (i - 1, end)) {
                    last.governed.0 = last.governed.0.max((i - 1).saturating_sub(ANTECEDENT_WORDS));
                }
            } else {
                push_backward(&mut scopes, tokens, ScopeKind::Negation, (i, end));
            }
            i = end + 1;
            continue;
        } else if let Some(end) = how_harm_happens(tokens, i) {
            // "Skipping the snapshot is how teams lose data."
            push_backward(&mut scopes, tokens, ScopeKind::Rejection, (i - 1, end));
            i = end + 1;
            continue;
        } else if let Some(scope) = harmful_subject(tokens, i) {
            i = scope.cue.1 + 1;
            scopes.push(scope);
            continue;
        } else if let Some(end) = judging_subject(tokens, i) {
            // "The classic mistake is storing passwords in plain text."
            push_forward(&mut scopes, tokens, ScopeKind::Rejection, (i, end));
            i = end + 1;
            continue;
        } else if BACKWARD_NEGATIONS.contains(&word) {
            push_backward(&mut scopes, tokens, ScopeKind::Negation, (i, i));
        } else if BACKWARD_REJECTIONS.contains(&word) {
            push_backward(&mut scopes, tokens, ScopeKind::Rejection, (i, i));
        } else if BAD_ADJECTIVES.contains(&word) && next.is_some_and(|n| BAD_NOUNS.contains(&n)) {
            push_backward(&mut scopes, tokens, ScopeKind::Rejection, (i, i + 1));
            i += 2;
            continue;
        }
        i += 1;
    }
    let enumerated = enumerated_rejections(tokens, &scopes);
    scopes.extend(enumerated);
    scopes
}

/// Openers of a sentence that names one item of a list announced before
/// ("One is X. The other is Y.").
const ITEM_OPENERS: &[&[&str]] = &[
    &["one", "is"],
    &["one", "was"],
    &["another", "is"],
    &["another", "one", "is"],
    &["the", "other", "is"],
    &["the", "other", "one", "is"],
    &["the", "first", "is"],
    &["the", "first", "one", "is"],
    &["the", "second", "is"],
    &["the", "second", "one", "is"],
    &["the", "third", "is"],
    &["the", "last", "is"],
];

/// Rejections announced in one sentence and listed in the next ones: "I'd
/// steer clear of two classic mistakes. One is X. The other is Y." A
/// sentence opened by an item opener ([`ITEM_OPENERS`]) is governed, after
/// its opener, by a rejection when the sentence heading its list (the last
/// one before it that is not itself an item) holds a rejection cue.
fn enumerated_rejections(tokens: &[Token], scopes: &[Scope]) -> Vec<Scope> {
    let mut found = Vec::new();
    let mut header_rejects = false;
    let mut i = 0;
    while i < tokens.len() {
        let end = sentence_end(tokens, i);
        let opener = ITEM_OPENERS
            .iter()
            .find(|words| words.len() <= end - i && opens_with(tokens, i, words));
        match opener {
            Some(words) => {
                let start = i + words.len();
                if header_rejects && start <= end {
                    found.push(Scope {
                        kind: ScopeKind::Rejection,
                        cue: (i, start - 1),
                        governed: (start, end),
                        anaphoric: false,
                    });
                }
            }
            None => {
                header_rejects = scopes
                    .iter()
                    .any(|s| s.kind == ScopeKind::Rejection && i <= s.cue.0 && s.cue.1 <= end);
            }
        }
        i = end + 1;
    }
    found
}

/// Whether the words from token `i` on, in its sentence, are `words`
/// ("One is …", "Since then …").
pub(crate) fn opens_with(tokens: &[Token], i: usize, words: &[&str]) -> bool {
    let Some(sentence) = tokens.get(i).map(|t| t.sentence) else {
        return false;
    };
    words.iter().enumerate().all(|(k, w)| {
        tokens
            .get(i + k)
            .is_some_and(|t| t.sentence == sentence && *t.norm == **w)
    })
}

/// The index of the last token of the sentence token `i` is in.
pub(crate) fn sentence_end(tokens: &[Token], i: usize) -> usize {
    let mut end = i;
    while tokens
        .get(end + 1)
        .is_some_and(|t| t.sentence == tokens[i].sentence)
    {
        end += 1;
    }
    end
}

/// If the negator at `i` opens a gerund subject ("skipping X", "not
/// testing X", or the lack of a thing: "no backups") that a
/// [`CONSEQUENCE_VERBS`] verb later in its clause makes the cause of a
/// failure, the tokens of that verb and its particle.
fn gerund_cause(tokens: &[Token], i: usize) -> Option<(usize, usize)> {
    let cue = &tokens[i];
    let gerund = if (cue.norm.ends_with("ing") && JUDGING_NEGATIONS.contains(&&*cue.norm)) || cue.norm == "no"
    {
        i
    } else if matches!(&*cue.norm, "not" | "never")
        && tokens.get(i + 1).is_some_and(|t| {
            t.clause == cue.clause && t.kind == TokenKind::Word && t.norm.len() > 4 && t.norm.ends_with("ing")
        })
    {
        i + 1
    } else {
        return None;
    };
    let opens_clause = match i.checked_sub(1).and_then(|p| tokens.get(p)) {
        None => true,
        Some(prev) => prev.clause != cue.clause || SUBJECT_OPENERS.contains(&&*prev.norm),
    };
    if !opens_clause {
        return None;
    }
    for j in gerund + 1..tokens.len().min(gerund + 1 + MAX_FORWARD) {
        let t = &tokens[j];
        if t.clause != cue.clause || SUBJECTS.contains(&&*t.norm) {
            return None;
        }
        if CONSEQUENCE_VERBS.iter().any(|(v, _)| *v == t.norm) {
            return consequence_at(tokens, j);
        }
    }
    None
}

/// If token `j` is a [`CONSEQUENCE_VERBS`] verb with the particle it needs
/// next in its clause, the tokens of the verb and the particle.
fn consequence_at(tokens: &[Token], j: usize) -> Option<(usize, usize)> {
    let verb = tokens.get(j)?;
    let (_, particle) = CONSEQUENCE_VERBS.iter().find(|(v, _)| *v == verb.norm)?;
    match particle {
        None => Some((j, j)),
        Some(p) => tokens
            .get(j + 1)
            .filter(|n| n.clause == verb.clause && n.norm == *p)
            .map(|_| (j, j + 1)),
    }
}

/// If token `i` is a [`CONSEQUENCE_VERBS`] verb (with its particle, and not
/// one of [`NOUN_LIKE_CONSEQUENCES`]) whose clause
/// opens with a short subject, the rejection of that subject: "a shared
/// database couples every deployment", "because weak hashes result in leaks".
/// Not when a pronoun is the subject ("we share it, and it causes …": the
/// writer owns the practice and weighs its cost), nor when the harm is
/// denied ("never causes", "doesn't lead to").
fn harmful_subject(tokens: &[Token], i: usize) -> Option<Scope> {
    let verb = &tokens[i];
    if NOUN_LIKE_CONSEQUENCES.contains(&&*verb.norm) {
        return None;
    }
    let (_, end) = consequence_at(tokens, i)?;
    // A bare "cause", "lead" or "result" just after a determiner is a noun:
    // "the root cause", "a main result".
    let after_determiner = (1..=2).any(|back| {
        i.checked_sub(back)
            .and_then(|j| tokens.get(j))
            .is_some_and(|t| t.clause == verb.clause && DETERMINERS.contains(&&*t.norm))
    });
    if matches!(&*verb.norm, "cause" | "lead" | "result") && after_determiner {
        return None;
    }
    let mut start = clause_start(tokens, i);
    if SUBJECT_OPENERS.contains(&&*tokens[start].norm) || is_clause_opener(&tokens[start].norm) {
        start += 1;
    }
    if start >= i || i - start > MAX_SUBJECT {
        return None;
    }
    let subject = &tokens[start..i];
    if subject
        .iter()
        .any(|t| SUBJECTS.contains(&&*t.norm) || RELATIVES.contains(&&*t.norm))
    {
        return None;
    }
    // "never causes", "doesn't lead to"; but "no backups led to data loss"
    // blames the lack, as a gerund subject does.
    let denied = subject.iter().rev().take(2).any(|t| {
        HARM_DENIERS.contains(&&*t.norm)
            || (FORWARD_NEGATIONS.contains(&&*t.norm)
                && !JUDGING_NEGATIONS.contains(&&*t.norm)
                && !NOUN_NEGATORS.contains(&&*t.norm))
    });
    if denied {
        return None;
    }
    Some(Scope {
        kind: ScopeKind::Rejection,
        cue: (i, end),
        governed: (start, i - 1),
        anaphoric: false,
    })
}

/// If token `i` starts a noun that names a practice to avoid ("mistake",
/// "bad idea", "worst thing") and what follows it is that practice, the end
/// of the cue, after which the practice lies:
/// - as the subject, up to its copula: "the classic mistake is storing
///   passwords in plain text", "a common anti-pattern I see is …";
/// - before "to" or "of": "it's a bad idea to disable verification", "the
///   mistake of skipping the dry run";
/// - as a list's header, up to its colon: "two mistakes I see a lot: …".
///
/// After a copula with nothing following ("storing passwords in plain text
/// is a mistake") the noun judges what came before, as
/// [`BACKWARD_REJECTIONS`] do.
fn judging_subject(tokens: &[Token], i: usize) -> Option<usize> {
    let word = &*tokens[i].norm;
    let clause = tokens[i].clause;
    let in_clause = |j: usize| tokens.get(j).filter(|t| t.clause == clause);
    let head = if REJECTION_NOUNS.contains(&word) {
        i
    } else if (BAD_ADJECTIVES.contains(&word)
        && in_clause(i + 1).is_some_and(|t| BAD_NOUNS.contains(&&*t.norm)))
        || (WORST.contains(&word) && in_clause(i + 1).is_some_and(|t| WORST_NOUNS.contains(&&*t.norm)))
    {
        i + 1
    } else {
        return None;
    };
    if let Some(next) = in_clause(head + 1) {
        if matches!(&*next.norm, "to" | "of") {
            return Some(head + 1);
        }
    }
    let predicate = tokens[clause_start(tokens, i)..i]
        .iter()
        .any(|t| is_copula(&t.norm));
    if predicate {
        return None;
    }
    for j in head + 1..=head + 1 + MAX_SUBJECT_TAIL {
        let t = tokens.get(j)?;
        if t.clause != clause {
            // A header ending at a colon, with the list after it.
            return (t.after_colon && t.sentence == tokens[i].sentence).then_some(j - 1);
        }
        if matches!(&*t.norm, "is" | "are" | "was" | "were") {
            return in_clause(j + 1).map(|_| j);
        }
    }
    None
}

/// If the negator at `i` is raised over a verb of opinion to an evaluative
/// about something named before it ("…, which I don't think is worth it",
/// "I don't believe that's needed"), the evaluative's index: only pronouns,
/// copulas and fillers stand between, so what is judged lies before the
/// cue. With a subject between ("I don't think keys are needed") the
/// negator's forward scope already governs it.
fn raised_evaluative(tokens: &[Token], i: usize) -> Option<usize> {
    let clause = tokens[i].clause;
    let in_clause = |j: usize| tokens.get(j).filter(|t| t.clause == clause);
    if !NEG_RAISERS.contains(&&*in_clause(i + 1)?.norm) {
        return None;
    }
    for j in i + 2..i + 6 {
        let word = &*in_clause(j)?.norm;
        if EVALUATIVES.contains(&word) {
            return (j > i + 2).then_some(j);
        }
        let function = OBJECT_PRONOUNS.contains(&word)
            || is_copula(word)
            || COPULA_FILLERS.contains(&word)
            || matches!(word, "that" | "this" | "they" | "would" | "will" | "really");
        if !function {
            return None;
        }
    }
    None
}

/// If token `i` is one of `predicates` after a copula ("is mostly academic",
/// "are rejected"), the index of the copula, where the cue starts.
fn after_copula(tokens: &[Token], i: usize, predicates: &[&str]) -> Option<usize> {
    if !predicates.contains(&&*tokens[i].norm) {
        return None;
    }
    let mut j = i;
    while j > 0 && i - j < 5 {
        j -= 1;
        let t = &tokens[j];
        if t.clause != tokens[i].clause {
            return None;
        }
        if is_copula(&t.norm) {
            return Some(j);
        }
        if !COPULA_FILLERS.contains(&&*t.norm) {
            return None;
        }
    }
    None
}

/// If token `i` is the "too" of "is too slow to bother with" (a copula, then
/// "too", one word, "to" and a verb, in one clause), where the cue starts and
/// ends: the subject is judged not worth doing. "Too" as "also" ("Redis is
/// fine too") and "too much" without "to" are no cue.
fn too_much_to(tokens: &[Token], i: usize) -> Option<(usize, usize)> {
    if tokens[i].norm != "too" {
        return None;
    }
    let clause = tokens[i].clause;
    let at = |j: usize| {
        tokens
            .get(j)
            .filter(|t| t.clause == clause && t.kind == TokenKind::Word)
    };
    let adjective = at(i + 1)?;
    let to = at(i + 2)?;
    let verb = at(i + 3)?;
    if adjective.stop || to.norm != "to" || (verb.stop && verb.norm != "do") {
        return None;
    }
    let cue_start = after_copula(tokens, i, &["too"])?;
    Some((cue_start, i + 3))
}

/// Whether token `i` opens a relative clause's predicate ("that don't",
/// "that slow"): what it says describes the antecedent.
fn follows_relative(tokens: &[Token], i: usize) -> bool {
    i > 0 && RELATIVES.contains(&&*tokens[i - 1].norm)
}

/// If token `i` is a dismissive verb whose particle or object follows within
/// four tokens of its clause, the index of that particle or object.
fn dismissive_verb(tokens: &[Token], i: usize) -> Option<usize> {
    let (_, objects) = DISMISSIVE_VERBS.iter().find(|(v, _)| *v == tokens[i].norm)?;
    tokens
        .iter()
        .enumerate()
        .skip(i + 1)
        .take(4)
        .take_while(|(_, t)| t.clause == tokens[i].clause)
        .find(|(_, t)| objects.contains(&&*t.norm))
        .map(|(j, _)| j)
        // A particle right after the verb has no object to hold back: "lookups
        // slow down" says the subject gets slower, not that it slows anyone.
        .filter(|&j| !(j == i + 1 && PARTICLES.contains(&&*tokens[j].norm)))
}

/// The object pronouns among the first four words the forward scope just
/// opened by the cue at `cue` governs.
fn governed_pronouns(tokens: &[Token], scope: Option<&Scope>, cue: usize) -> Vec<usize> {
    let Some(scope) = scope.filter(|s| s.cue.1 == cue) else {
        return Vec::new();
    };
    (scope.governed.0..=scope.governed.1)
        .take(4)
        .filter(|&i| is_object_pronoun(tokens, i))
        .collect()
}

/// Whether token `i` is an object pronoun; "that" and "this" count only at
/// the end of their clause ("I don't accept that."), not as "that" in
/// "I don't think that …".
fn is_object_pronoun(tokens: &[Token], i: usize) -> bool {
    let word = &*tokens[i].norm;
    // "… not whose commit it was": a pronoun before a verb is its subject.
    let subject = tokens
        .get(i + 1)
        .is_some_and(|next| next.clause == tokens[i].clause && AUXILIARIES.contains(&&*next.norm));
    if OBJECT_PRONOUNS.contains(&word) {
        return !subject;
    }
    matches!(word, "that" | "this")
        && tokens
            .get(i + 1)
            .is_none_or(|next| next.clause != tokens[i].clause)
}

/// Whether a pronoun negated by the cue at `i` (at one of `pronouns`) may
/// refer back past its clause: when the clause is joined by a coordinating
/// or contrastive word, or by a comma; from a "so" clause only when the
/// speaker declines the thing itself ("runbooks go stale, so we don't write
/// them"): "so" is followed by "I", "we" or "you" and the pronoun ends the
/// clause. Not when something else acts ("so an outage doesn't take them
/// with it") or the clause goes on about what is done to the referent ("so
/// we don't hammer them in lockstep"); never from inside a "because" or
/// "which" clause, nor from a clause that names [`ANTECEDENT_IN_CLAUSE`]
/// content words before the cue (the pronoun stands for one of them).
fn may_reach_back(tokens: &[Token], i: usize, pronouns: &[usize]) -> bool {
    let clause = tokens[i].clause;
    let first = clause_start(tokens, i);
    let opener = &*tokens[first].norm;
    let speaker_declines = || {
        pronouns.iter().any(|&k| ends_clause(tokens, k))
            && tokens.get(first + 1).is_some_and(|t| {
                t.clause == clause && matches!(t.norm.split('\'').next(), Some("i" | "we" | "you"))
            })
    };
    let named_before = (first..i)
        .filter(|&k| tokens[k].kind == TokenKind::Word && !tokens[k].stop)
        .count();
    named_before < ANTECEDENT_IN_CLAUSE
        && (REACH_BACK_OPENERS.contains(&opener)
            || (opener == "so" && speaker_declines())
            || !is_clause_opener(opener))
}

/// Whether token `i` is a [`SUBJECT_NEGATORS`] word as its clause's subject:
/// first in its clause, or right after "and", "but" … ("the scripts live in
/// a wiki and nobody reviews them"). Not after a noun or a relative pronoun,
/// where it describes ("a runbook nobody rehearses"), nor in a reason
/// ("since nobody retries a week later"), which states a fact; nor before a
/// [`PRAISE_WORDS`] word ("nothing can replace a restore test").
fn is_negating_subject(tokens: &[Token], i: usize) -> bool {
    if !SUBJECT_NEGATORS.contains(&&*tokens[i].norm) {
        return false;
    }
    let clause = tokens[i].clause;
    let praises = tokens
        .iter()
        .skip(i + 1)
        .take(3)
        .take_while(|t| t.clause == clause)
        .any(|t| PRAISE_WORDS.contains(&&*t.norm));
    let subject = match i.checked_sub(1).map(|p| &tokens[p]) {
        Some(prev) if prev.clause == clause => REACH_BACK_OPENERS.contains(&&*prev.norm),
        _ => true,
    };
    subject && !praises
}

/// Words that may follow a negated object pronoun and leave the pronoun
/// what the negation is about ("we never needed them at all").
const OBJECT_TAIL: &[&str] = &[
    "all", "any", "anymore", "anyway", "at", "either", "ever", "here", "honestly", "more", "much", "now",
    "really", "today", "yet",
];

/// Whether the object pronoun at `k` ends what its clause says, but for
/// [`OBJECT_TAIL`] words and a judgement of it ([`EVALUATIVES`]): "we don't
/// need them", "I never found them necessary" are about the thing itself,
/// "we never store them in plain text" about how it is done.
fn ends_object(tokens: &[Token], k: usize) -> bool {
    let clause = tokens[k].clause;
    tokens[k + 1..]
        .iter()
        .take_while(|t| t.clause == clause)
        .all(|t| {
            OBJECT_TAIL.contains(&&*t.norm)
                || EVALUATIVES.contains(&&*t.norm)
                || matches!(&*t.norm, "to" | "be")
        })
}

/// Whether token `k` is the last word of its clause.
fn ends_clause(tokens: &[Token], k: usize) -> bool {
    tokens
        .get(k)
        .is_some_and(|t| tokens.get(k + 1).is_none_or(|next| next.clause != t.clause))
}

/// The index of the first token of the clause token `i` is in (clauses
/// never cross sentences).
fn clause_start(tokens: &[Token], i: usize) -> usize {
    let mut start = i;
    while start > 0 && tokens[start - 1].clause == tokens[i].clause {
        start -= 1;
    }
    start
}

/// The index of the first token of the sentence token `i` is in.
pub(crate) fn sentence_start(tokens: &[Token], i: usize) -> usize {
    let mut start = i;
    while start > 0 && tokens[start - 1].sentence == tokens[i].sentence {
        start -= 1;
    }
    start
}

/// Verbs that, once negated, say what they take is kept from harm or is
/// not mistaken for something else: "cannot delete anything in the backup
/// bucket", "we never confuse the standby with a backup".
const HARM_VERBS: &[&str] = &[
    "confuse",
    "corrupt",
    "delete",
    "deletes",
    "drop",
    "drops",
    "erase",
    "lose",
    "loses",
    "overwrite",
    "overwrites",
    "remove",
    "removes",
    "touch",
    "touches",
    "wipe",
    "wipes",
];

/// Words that make the clause after "is how" a harm: "… is how teams lose
/// data", "… is how one release takes down five teams" ("down" only after
/// one of [`DOWNFALLS`]: "is how we keep latency down" is no harm).
const HOW_HARMS: &[&str] = &[
    "break",
    "breaks",
    "corrupt",
    "corrupts",
    "die",
    "dies",
    "down",
    "fail",
    "fails",
    "incident",
    "incidents",
    "leak",
    "leaks",
    "lose",
    "loses",
    "outage",
    "outages",
];

/// If the "how" at `i` follows a copula and its clause tells a harm ("is
/// how teams lose data"), the end of that clause: what came before the
/// copula is the cause, and rejected.
fn how_harm_happens(tokens: &[Token], i: usize) -> Option<usize> {
    let previous = i.checked_sub(1).and_then(|p| tokens.get(p))?;
    if tokens[i].norm != "how" || previous.clause != tokens[i].clause || !is_copula(&previous.norm) {
        return None;
    }
    let clause = tokens[i].clause;
    let end = (i..tokens.len())
        .take_while(|&j| tokens[j].clause == clause)
        .last()?;
    let told = tokens.get(i + 1..=end).unwrap_or_default();
    told.iter()
        .enumerate()
        .any(|(k, t)| {
            HOW_HARMS.contains(&&*t.norm)
                && (t.norm != "down" || told[..k].iter().any(|w| DOWNFALLS.contains(&&*w.norm)))
        })
        .then_some(end)
}

/// Verbs before which "down" tells an outage: "takes down", "brought the
/// site down", "goes down".
const DOWNFALLS: &[&str] = &[
    "bring", "brings", "brought", "go", "goes", "going", "gone", "take", "takes", "taking", "took", "went",
];

/// If the "instead" at `i` ends a later clause of its sentence in which the
/// speaker acts ("…, so we hash the customer id instead"), the rejection of
/// the clauses before: what the speaker does instead replaces them. Not
/// when one of `found` (the scopes found so far) has its cue there: that
/// clause already says how the speaker stands ("never disable
/// verification; we fix the chain instead"), and the replacement restates
/// it.
fn replaced_before(tokens: &[Token], found: &[Scope], i: usize) -> Option<Scope> {
    if tokens[i].norm != "instead" || !ends_clause(tokens, i) {
        return None;
    }
    // "instead" opens a clause of its own: the one before it acts.
    let start = sentence_start(tokens, i);
    let first = match clause_start(tokens, i) {
        own if own == i && i > start => clause_start(tokens, i - 1),
        first => first,
    };
    let speaker = tokens[first..i]
        .iter()
        .any(|t| matches!(t.norm.split('\'').next(), Some("i" | "we" | "our")));
    let judged = found.iter().any(|s| s.cue.0 >= start && s.cue.1 < first);
    (speaker && first > start && !judged).then(|| Scope {
        kind: ScopeKind::Rejection,
        cue: (i, i),
        governed: (start, first - 1),
        anaphoric: false,
    })
}

/// Whether the negator at `i` denies that something is what follows: an
/// elliptical copula after a copular clause ("the replica is our
/// availability story, not our backup"), or "does not count as" ("RAID
/// doesn't count as a backup").
fn denies_identity(tokens: &[Token], i: usize) -> bool {
    let word = |j: usize| tokens.get(j).map(|t| &*t.norm);
    let counts_as = matches!(word(i + 1), Some("count" | "counts")) && word(i + 2) == Some("as");
    let clause_initial =
        i > 0 && tokens[i - 1].clause != tokens[i].clause && tokens[i - 1].sentence == tokens[i].sentence;
    let after_copula = clause_initial && word(i) == Some("not") && {
        let previous = clause_start(tokens, i - 1);
        tokens[previous..i].iter().any(|t| is_copula(&t.norm))
            && !tokens[previous..i]
                .iter()
                .any(|t| FORWARD_NEGATIONS.contains(&&*t.norm))
    };
    counts_as || after_copula
}

/// Whether the negator at `i` negates one of [`HARM_VERBS`], at most one
/// word on ("can't delete", "never accidentally drops"): what it would
/// harm is protected, not dismissed.
fn negates_a_harm(tokens: &[Token], i: usize) -> bool {
    let clause = tokens[i].clause;
    tokens
        .iter()
        .skip(i + 1)
        .take(2)
        .take_while(|t| t.clause == clause)
        .any(|t| HARM_VERBS.contains(&&*t.norm))
}

/// Whether the negator at `i` negates a copula ("is not", "isn't"), and no
/// evaluative follows (those are handled as backward cues).
fn is_copular_not(tokens: &[Token], i: usize) -> bool {
    let word = &*tokens[i].norm;
    if matches!(word, "isn't" | "isnt" | "aren't" | "arent" | "wasn't" | "weren't") {
        return true;
    }
    let previous = i.checked_sub(1).map(|p| &tokens[p]);
    word == "not" && previous.is_some_and(|p| p.clause == tokens[i].clause && is_copula(&p.norm))
}

/// Whether the cue of `scope` sits in a conditional clause ("if you don't
/// test, …") or is "without": it states a condition, not a practice.
pub fn is_conditional(tokens: &[Token], scope: &Scope) -> bool {
    tokens[scope.cue.0].norm == "without" || in_condition(tokens, scope)
}

/// Whether the cue of `scope` sits in a condition: its sentence opens with
/// "if", "unless" or "without", or "if", "when" … stands before it in its
/// clause. Unlike [`is_conditional`], "we ship without tests" is no condition.
pub fn in_condition(tokens: &[Token], scope: &Scope) -> bool {
    let cue = scope.cue.0;
    // "Without off-site copies, you cannot restore a backup": the consequence
    // of a fronted condition is conditional too.
    let first = sentence_start(tokens, cue);
    if matches!(&*tokens[first].norm, "if" | "unless" | "without") {
        return true;
    }
    tokens[..cue]
        .iter()
        .rev()
        .take_while(|t| t.clause == tokens[cue].clause)
        .any(|t| matches!(&*t.norm, "if" | "unless" | "otherwise" | "when" | "once"))
}

/// Opens a scope over the rest of the cue's clause, continuing through short
/// comma-separated list items.
fn push_forward(scopes: &mut Vec<Scope>, tokens: &[Token], kind: ScopeKind, cue: (usize, usize)) {
    let start = cue.1 + 1;
    if start >= tokens.len() || tokens[start].sentence != tokens[cue.1].sentence {
        return;
    }
    let mut end = start;
    let mut clause = tokens[start].clause;
    let mut j = start;
    // A cue ending its clause at a colon governs the list after it ("things
    // to avoid: X, Y and Z").
    let mut colon_list = tokens[start].after_colon && tokens[start].clause != tokens[cue.1].clause;
    let mid_list = opens_list_item(tokens, cue.0);
    let limits = if kind == ScopeKind::Rejection {
        EXCEPTION_LIMITS
    } else {
        SCOPE_LIMITS
    };
    while j < tokens.len() && (j - start < MAX_FORWARD || colon_list) {
        let t = &tokens[j];
        if t.sentence != tokens[start].sentence {
            break;
        }
        let light_before_colon = tokens[start..j]
            .iter()
            .all(|u| u.stop || LIGHT_VERBS.contains(&&*u.norm));
        if t.clause != clause && t.after_colon && tokens[cue.1].clause == clause && light_before_colon {
            // "Two things I wouldn't do: X; and Y" governs the rest of the sentence.
            colon_list = true;
        }
        if t.clause != clause && !colon_list {
            // A new clause continues the scope only as a short list item
            // ("no EXPLAIN, indexes, or caching").
            let len = tokens[j..].iter().take_while(|u| u.clause == t.clause).count();
            let opener = &*t.norm;
            let conjunction = matches!(opener, "and" | "or" | "nor");
            let list_item = len <= 2 || (conjunction && len <= 3);
            // "don't use MD5, use bcrypt": the same verb again is a contrast.
            let contrast = opener == tokens[start].norm || CONTRAST_OPENERS.contains(&opener);
            // "semver, additive changes, no field removal, deprecation": a
            // cue opening an item in the middle of a list negates that item;
            // the items after it go on with the list ("…, no X or Y" aside).
            let own_item_only = mid_list && !list_goes_on_with_or(tokens, j);
            // "wary of anyone who says it has no downsides": what is warned
            // against is the object with its relative clause.
            let relative_of_object = kind == ScopeKind::Rejection
                && RELATIVES.contains(&opener)
                && j - start <= MAX_RELATIVE_OBJECT;
            if !relative_of_object && (!list_item || contrast || own_item_only || is_clause_opener(opener)) {
                break;
            }
            clause = t.clause;
        }
        if j > start && limits.contains(&&*t.norm) {
            break;
        }
        if j > start && opens_unmarked_clause(tokens, j) {
            break;
        }
        if j > start && !colon_list && matches!(&*t.norm, "and" | "or") {
            if let Some(after) = tokens.get(j + 1) {
                if SUBJECTS.contains(&&*after.norm) {
                    break;
                }
            }
        }
        end = j;
        j += 1;
    }
    scopes.push(Scope {
        kind,
        cue,
        governed: (start, end),
        anaphoric: false,
    });
}

/// Whether token `j` is a personal subject ([`SUBJECTS`] but "it", which
/// is as often an object), bare or contracted ("I'd", "we're"), right after
/// a content word: a new clause with no comma or conjunction before it
/// ("where a caller doesn't need an immediate answer I'd rather publish an
/// event"), which a negation before it does not reach.
fn opens_unmarked_clause(tokens: &[Token], j: usize) -> bool {
    let subject = tokens[j].norm.split('\'').next();
    j > 0
        && subject.is_some_and(|s| s != "it" && SUBJECTS.contains(&s))
        && tokens[j - 1].kind == TokenKind::Word
        && !tokens[j - 1].stop
}

/// Whether the cue at `cue` opens an item in the middle of a list: it
/// starts its clause, and the two clauses before it in the sentence are
/// short items of at most three tokens each ("semver, additive changes,
/// **no** field removal"). One short clause before is not enough: it may be
/// an opener ("Honestly, no EXPLAIN, indexes or caching").
fn opens_list_item(tokens: &[Token], cue: usize) -> bool {
    let here = &tokens[cue];
    let mut end = cue;
    for _ in 0..2 {
        let Some(last) = end.checked_sub(1).map(|i| &tokens[i]) else {
            return false;
        };
        if last.sentence != here.sentence || last.clause == tokens[end].clause {
            return false;
        }
        let item = tokens[..end]
            .iter()
            .rev()
            .take_while(|t| t.clause == last.clause && t.sentence == here.sentence)
            .count();
        if item > 3 {
            return false;
        }
        end -= item;
    }
    true
}

/// Whether the list item starting at token `from`, or one of the short
/// items after it in the sentence, is joined by "or" or "nor": "no tests,
/// reviews, or docs" negates every item.
fn list_goes_on_with_or(tokens: &[Token], from: usize) -> bool {
    let Some(first) = tokens.get(from) else {
        return false;
    };
    let mut clause = first.clause;
    let mut len = 0;
    for t in tokens[from..].iter().take_while(|t| t.sentence == first.sentence) {
        if t.clause != clause {
            clause = t.clause;
            len = 0;
        }
        len += 1;
        if len > 3 {
            return false;
        }
        if matches!(&*t.norm, "or" | "nor") {
            return true;
        }
    }
    false
}

/// Opens a scope over the cue's clause up to the cue, reaching into the
/// previous clause when this one opens with an anaphor.
fn push_backward(scopes: &mut Vec<Scope>, tokens: &[Token], kind: ScopeKind, cue: (usize, usize)) {
    let Some(end) = cue.0.checked_sub(1) else {
        return;
    };
    let sentence = tokens[cue.0].sentence;
    let mut start = cue.0;
    let mut clause = tokens[cue.0].clause;
    let mut reached_back = false;
    while start > 0 {
        let prev = &tokens[start - 1];
        if prev.sentence != sentence {
            break;
        }
        if prev.clause != clause {
            let opener = &*tokens[start].norm;
            if reached_back || !ANAPHORS.contains(&opener) {
                break;
            }
            reached_back = true;
            clause = prev.clause;
        }
        start -= 1;
    }
    if start <= end && tokens[end].sentence == sentence {
        scopes.push(Scope {
            kind,
            cue,
            governed: (start, end),
            anaphoric: false,
        });
    }
}

fn is_clause_opener(word: &str) -> bool {
    super::CLAUSE_OPENERS.contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Analyzer;

    /// Asserts that some scope of `kind` in `text` governs words satisfying `check`.
    fn assert_some_governed(text: &str, kind: ScopeKind, check: impl Fn(&str) -> bool) {
        let found = governed(text, kind);
        assert!(found.iter().any(|g| check(g)), "{text}: {found:?}");
    }

    /// The words governed by a scope of `kind`, joined by spaces, one string per scope.
    fn governed(text: &str, kind: ScopeKind) -> Vec<String> {
        let analyzed = Analyzer::english().analyze(text);
        analyzed
            .scopes()
            .iter()
            .filter(|s| s.kind == kind)
            .map(|s| {
                analyzed.tokens()[s.governed.0..=s.governed.1]
                    .iter()
                    .map(|t| &*t.norm)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    /// Whether the negation scopes of `text` are denials, in order.
    fn denials(text: &str) -> Vec<bool> {
        let analyzed = Analyzer::english().analyze(text);
        analyzed
            .scopes()
            .iter()
            .filter(|s| s.kind == ScopeKind::Negation)
            .map(|s| s.is_denial(analyzed.tokens()))
            .collect()
    }

    #[test]
    fn a_bare_negator_denies_and_a_verb_of_need_or_a_judgement_dismisses() {
        assert_eq!(
            denials("The original value can't be changed by the callee."),
            [true]
        );
        assert_eq!(
            denials("A linked list does not store its nodes next to each other."),
            [true]
        );
        assert_eq!(denials("We don't need idempotency keys."), [false]);
        assert_eq!(denials("I never really bother with EXPLAIN."), [false]);
        assert_eq!(denials("Idempotency keys are not needed."), [false]);
        assert_eq!(denials("We skip the dry run."), [false]);
        assert_eq!(denials("Canaries are overkill."), [false]);
    }

    #[test]
    fn never_governs_the_rest_of_the_clause() {
        assert_eq!(
            governed(
                "I never bother with EXPLAIN, I just add RAM.",
                ScopeKind::Negation
            ),
            ["bother with explain"]
        );
    }

    #[test]
    fn a_list_after_a_negation_stays_negated() {
        assert_eq!(
            governed(
                "We don't use indexes, replicas, or caching here.",
                ScopeKind::Negation
            ),
            ["use indexes replicas or caching here"]
        );
    }

    #[test]
    fn a_cue_opening_an_item_mid_list_negates_that_item_only() {
        assert_eq!(
            governed(
                "Semver, additive changes, no field removal, deprecation, a migration guide.",
                ScopeKind::Negation
            ),
            ["field removal"]
        );
        // "or" still joins the items after the cue.
        assert_eq!(
            governed(
                "Backups, alerts, no tests, reviews, or docs.",
                ScopeKind::Negation
            ),
            ["tests reviews or docs"]
        );
        // One short clause before the cue is an opener, not a list.
        assert_eq!(
            governed("Honestly, no indexes, replicas, caching.", ScopeKind::Negation),
            ["indexes replicas caching"]
        );
    }

    #[test]
    fn every_inflection_of_a_rejecting_verb_is_a_cue() {
        for text in [
            "The API checks expiry, rejecting alg=none outright.",
            "The API checks expiry and rejects alg=none outright.",
            "The gateway refuses plain HTTP.",
        ] {
            assert_eq!(governed(text, ScopeKind::Rejection).len(), 1, "{text}");
        }
    }

    #[test]
    fn a_negator_raised_over_an_opinion_verb_judges_what_came_before() {
        assert_eq!(
            governed(
                "Keys cost a table and a lookup, which I don't think is worth it.",
                ScopeKind::Negation
            ),
            ["keys cost a table and a lookup which i"]
        );
        assert_eq!(
            governed(
                "Keys cost a table, and I don't think it matters.",
                ScopeKind::Negation
            ),
            ["keys cost a table and i"]
        );
        // An opinion about something else, or no evaluative: no backward scope.
        assert_eq!(
            governed(
                "Keys cost a table, and I don't think retries are rare.",
                ScopeKind::Negation
            ),
            ["think retries are rare"]
        );
        assert_eq!(
            governed(
                "Keys cost a table, which I don't think about.",
                ScopeKind::Negation
            ),
            ["think about"]
        );
    }

    #[test]
    fn a_subject_blamed_for_a_harm_is_rejected() {
        for (text, rejected) in [
            ("A shared database couples every deployment.", "a shared database"),
            (
                "Plain-text passwords can lead to breaches.",
                "plain text passwords can",
            ),
            (
                "We hash them, because weak hashes result in leaks.",
                "weak hashes",
            ),
            (
                "Creating indexes on all the columns wastes memory.",
                "creating indexes on all the columns",
            ),
            ("Auto-ack mode loses messages on a crash.", "auto ack mode"),
            (
                "Backups kept in the same account die with it.",
                "backups kept in the same account",
            ),
            (
                "Throwing hardware at a bad plan is expensive.",
                "throwing hardware at a bad plan is",
            ),
        ] {
            assert_eq!(governed(text, ScopeKind::Rejection), [rejected], "{text}");
        }
        assert_some_governed(
            "Tokens that never expire are a liability.",
            ScopeKind::Rejection,
            |g| g == "tokens that never expire are a",
        );
        // A harm denied, a pronoun subject, a noun "cause", a long subject.
        for text in [
            "A shared database never causes problems.",
            "We share it and it causes coupling.",
            "The root cause was a shared database.",
            "One big shared database across all of our services causes coupling.",
        ] {
            assert!(governed(text, ScopeKind::Rejection).is_empty(), "{text}");
        }
    }

    #[test]
    fn what_a_thing_is_denied_to_be_or_kept_from_is_rejected_not_dismissed() {
        for (text, rejected) in [
            (
                "The replica is our availability story, not our backup.",
                "our backup",
            ),
            ("Replication does not count as a backup.", "count as a backup"),
            (
                "The deploy role cannot delete anything in the backup bucket.",
                "delete anything in the backup bucket",
            ),
            (
                "We never confuse the standby with a backup.",
                "confuse the standby with a backup",
            ),
        ] {
            assert!(governed(text, ScopeKind::Negation).is_empty(), "{text}");
            assert_eq!(governed(text, ScopeKind::Rejection), [rejected], "{text}");
        }
        // Without a copula before it, ", not X" still dismisses X.
        assert_eq!(
            governed("We rely on the replica, not backups.", ScopeKind::Negation),
            ["backups"]
        );
    }

    #[test]
    fn what_is_how_a_harm_happens_is_rejected() {
        assert_eq!(
            governed(
                "Skipping the snapshot before a migration is how teams lose data.",
                ScopeKind::Rejection
            ),
            ["skipping the snapshot before a migration"]
        );
        // "is how" without a harm tells a method, not a cause.
        assert!(governed(
            "Caching the page is how we keep latency down.",
            ScopeKind::Rejection
        )
        .is_empty());
        assert!(governed(
            "Rehearsing on a copy is how we find the odd rows.",
            ScopeKind::Rejection
        )
        .is_empty());
    }

    #[test]
    fn what_the_speaker_does_instead_rejects_the_clauses_before() {
        assert_eq!(
            governed(
                "Build args end up in the image history, so we pass secrets with secret mounts instead.",
                ScopeKind::Rejection
            ),
            ["build args end up in the image history"]
        );
        // Not when no speaker acts, nor over a clause that already says how
        // the speaker stands.
        assert!(governed(
            "We shard on the id, so every insert goes to the last shard instead.",
            ScopeKind::Rejection
        )
        .is_empty());
        let refused = "We never turn off verification; we fix the chain instead.";
        assert!(governed(refused, ScopeKind::Rejection).is_empty(), "{refused}");
    }

    #[test]
    fn a_negated_pronoun_reaches_back_only_when_the_clause_is_about_the_thing() {
        // "them" is what the speaker declines, or judges.
        assert_eq!(
            governed(
                "Circuit breakers are fine, but we never need them.",
                ScopeKind::Negation
            )
            .len(),
            2
        );
        assert_eq!(
            governed(
                "Idempotency keys are hyped but I've never found them necessary.",
                ScopeKind::Negation
            )
            .len(),
            3
        );
        // "in plain text" is what is declined, not the passwords.
        assert_eq!(
            governed(
                "Passwords are hashed with Argon2id; we never store them in plain text.",
                ScopeKind::Negation
            ),
            ["store them in plain text"]
        );
    }

    #[test]
    fn a_mistake_named_as_the_subject_rejects_what_follows_its_copula() {
        for (text, rejected) in [
            (
                "The classic mistake is storing passwords in plain text.",
                "storing passwords in plain text",
            ),
            (
                "A common anti-pattern I see is committing secrets to git.",
                "committing secrets to git",
            ),
            (
                "The worst thing you can do is retry instantly.",
                "retry instantly",
            ),
            (
                "It's a bad idea to turn off verification.",
                "turn off verification",
            ),
            ("Teams make the mistake of skipping backups.", "skipping backups"),
            (
                "Two mistakes I see a lot: plain-text passwords, and secrets committed to git.",
                "plain text passwords and secrets committed to git",
            ),
        ] {
            assert_eq!(governed(text, ScopeKind::Rejection), [rejected], "{text}");
        }
        // After a copula the noun judges what came before, as it did.
        assert_eq!(
            governed(
                "Storing passwords in plain text is a mistake.",
                ScopeKind::Rejection
            ),
            ["storing passwords in plain text is a"]
        );
        // So it does after a contracted copula: what follows is no subject's.
        assert!(governed(
            "Plain-text passwords? They're the classic mistake that is still common.",
            ScopeKind::Rejection
        )
        .iter()
        .all(|g| !g.contains("common")));
    }

    #[test]
    fn a_habit_its_subject_used_to_have_is_rejected_to_the_end_of_the_sentence() {
        assert_eq!(
            governed(
                "We used to call the provider with no timeout, which hung every thread. Now we set one.",
                ScopeKind::Rejection
            ),
            ["call the provider with no timeout which hung every thread"]
        );
        assert_eq!(
            governed("Our team used to deploy by hand.", ScopeKind::Rejection),
            ["deploy by hand"]
        );
        // "used to" after anything but a subject leaves nothing behind.
        assert!(governed("The script is used to deploy by hand.", ScopeKind::Rejection).is_empty());
    }

    #[test]
    fn a_view_given_up_is_rejected_to_the_end_of_the_sentence() {
        assert_eq!(
            governed(
                "Years ago I'd have told you Django had no downsides. Now I know better.",
                ScopeKind::Rejection
            ),
            ["you django had no downsides"]
        );
        assert_eq!(
            governed("We would have said it was fine.", ScopeKind::Rejection),
            ["it was fine"]
        );
        // A view held now, or a counterfactual act, gives nothing up.
        assert!(governed("I'd say Django has no downsides.", ScopeKind::Rejection).is_empty());
        assert!(governed("We would have lost the data.", ScopeKind::Rejection).is_empty());
    }

    #[test]
    fn a_rejection_runs_through_when_the_practice_happens_but_not_its_exception() {
        assert_eq!(
            governed(
                "The trap is retrying a charge after a timeout with no key.",
                ScopeKind::Rejection
            ),
            ["retrying a charge after a timeout with no key"]
        );
        assert_eq!(
            governed(
                "Avoid deploying unless the canary is green.",
                ScopeKind::Rejection
            ),
            ["deploying"]
        );
        // A negation still stops where its limit begins.
        assert_eq!(
            governed("Never cut over before validation passes.", ScopeKind::Negation),
            ["cut over"]
        );
    }

    #[test]
    fn wariness_and_pushback_reject_what_follows() {
        for (text, rejected) in [
            ("I'm wary of caching per-user pages.", "caching per user pages"),
            (
                "I push back on caching per-user pages.",
                "on caching per user pages",
            ),
            (
                "I'm skeptical of caching per-user pages.",
                "caching per user pages",
            ),
        ] {
            assert_eq!(governed(text, ScopeKind::Rejection), [rejected], "{text}");
        }
    }

    #[test]
    fn items_listed_after_a_rejecting_sentence_are_rejected() {
        let text = "I'd steer clear of two classic mistakes. One is hash modulo the number of servers. \
                    The other is a timestamp shard key. We use a ring.";
        let rejected = governed(text, ScopeKind::Rejection);
        assert!(
            rejected.contains(&"hash modulo the number of servers".to_owned()),
            "{rejected:?}"
        );
        assert!(
            rejected.contains(&"a timestamp shard key".to_owned()),
            "{rejected:?}"
        );
        assert!(!rejected.iter().any(|r| r.contains("ring")), "{rejected:?}");
        // Items after a sentence that rejects nothing are what they say.
        let plain = "We weighed two designs. One is hash modulo the number of servers.";
        assert!(governed(plain, ScopeKind::Rejection).is_empty());
    }

    #[test]
    fn a_cue_ending_at_a_colon_governs_the_list_after_it() {
        assert_eq!(
            governed(
                "Things to avoid: storing passwords in plain text, committing secrets to git.",
                ScopeKind::Rejection
            ),
            ["storing passwords in plain text committing secrets to git"]
        );
    }

    #[test]
    fn a_skipped_practice_blamed_for_a_failure_is_rejected_not_dismissed() {
        for (text, rejected) in [
            ("Skipping the dry run caused an outage.", "skipping the dry run"),
            (
                "Because skipping the backfill led to nulls, we check counts.",
                "skipping the backfill",
            ),
            (
                "Not rehearsing restores will cost you a weekend.",
                "not rehearsing restores will",
            ),
            (
                "No restore drills led to a week of data loss.",
                "no restore drills",
            ),
        ] {
            assert_eq!(governed(text, ScopeKind::Rejection), [rejected], "{text}");
            assert!(governed(text, ScopeKind::Negation).is_empty(), "{text}");
        }
        // Without a consequence, or with the gerund not its clause's subject,
        // skipping still dismisses.
        for text in [
            "Skipping the dry run saves time.",
            "We are skipping the dry run, it caused delays.",
            "We kept skipping the dry run and caused an outage.",
        ] {
            assert!(!governed(text, ScopeKind::Negation).is_empty(), "{text}");
        }
    }

    #[test]
    fn a_new_subject_after_and_ends_the_scope() {
        assert_eq!(
            governed("We never commit secrets and we rotate keys.", ScopeKind::Negation),
            ["commit secrets"]
        );
    }

    #[test]
    fn contrast_words_end_the_scope() {
        assert_eq!(
            governed("No retries but a circuit breaker.", ScopeKind::Negation),
            ["retries"]
        );
    }

    #[test]
    fn overkill_governs_what_came_before() {
        assert_eq!(
            governed("Honestly, read replicas are overkill.", ScopeKind::Negation),
            ["read replicas are"]
        );
    }

    #[test]
    fn too_much_to_do_governs_the_subject() {
        assert_eq!(
            governed("Staging was too slow to bother with.", ScopeKind::Negation),
            ["staging"]
        );
        assert_eq!(
            governed(
                "Honestly percentiles are way too noisy to trust.",
                ScopeKind::Negation
            ),
            ["honestly percentiles"]
        );
        // "too" as "also", and "too" without "to" and a verb, judge nothing.
        assert!(governed("Percentiles matter too, to be fair.", ScopeKind::Negation).is_empty());
        assert!(governed("The bucket is too small for bursts.", ScopeKind::Negation).is_empty());
    }

    #[test]
    fn not_needed_governs_what_came_before() {
        assert_eq!(
            governed("Load testing is not really needed.", ScopeKind::Negation),
            ["load testing is"]
        );
    }

    #[test]
    fn which_is_dangerous_reaches_into_the_previous_clause() {
        assert_eq!(
            governed(
                "Some teams disable TLS verification, which is dangerous.",
                ScopeKind::Rejection
            ),
            ["some teams disable tls verification which is"]
        );
    }

    #[test]
    fn avoidance_is_a_rejection_not_a_negation() {
        assert_eq!(
            governed("Avoid N+1 queries.", ScopeKind::Rejection),
            ["n+1 queries"]
        );
        assert!(governed("Avoid N+1 queries.", ScopeKind::Negation).is_empty());
        assert_eq!(
            governed(
                "Migrate in steps rather than a big-bang rewrite.",
                ScopeKind::Rejection
            ),
            ["a big bang rewrite"]
        );
    }

    #[test]
    fn not_only_is_not_a_negation() {
        assert!(governed("Not only indexes but also caching.", ScopeKind::Negation).is_empty());
    }

    #[test]
    fn a_bad_idea_is_a_rejection() {
        assert_eq!(
            governed(
                "Storing passwords in plain text is a terrible idea.",
                ScopeKind::Rejection
            ),
            ["storing passwords in plain text is a"]
        );
    }

    #[test]
    fn a_negated_pronoun_reaches_back_to_what_it_stands_for() {
        assert_some_governed(
            "Circuit breakers are nice in talks, but we've never needed them.",
            ScopeKind::Negation,
            |g| g.starts_with("circuit breakers"),
        );
    }

    #[test]
    fn a_speaker_declining_in_a_so_clause_reaches_back() {
        assert_some_governed(
            "Runbooks go out of date, so we don't write them.",
            ScopeKind::Negation,
            |g| g.starts_with("runbooks"),
        );
        // Something else acts on the referent, or the clause goes on about how.
        for text in [
            "Keep backups in another region so a regional outage doesn't take them with it.",
            "Retries use backoff and jitter so we don't hammer them in lockstep.",
            "Writing tests is cheap, so there's no excuse to skip them.",
        ] {
            let negated = governed(text, ScopeKind::Negation);
            assert!(
                negated
                    .iter()
                    .all(|g| !g.contains("backups") && !g.contains("jitter") && !g.contains("writing")),
                "{text}: {negated:?}"
            );
        }
    }

    #[test]
    fn a_pronoun_whose_clause_names_its_antecedent_does_not_reach_back() {
        let negated = governed(
            "We model retries as a PUT, or we check whether the record already exists and skip it.",
            ScopeKind::Negation,
        );
        assert!(negated.iter().all(|g| !g.contains("retries")), "{negated:?}");
        // Little named before the cue: the pronoun stands for what came before.
        assert_some_governed(
            "Circuit breakers are nice in talks, but honestly we never needed them.",
            ScopeKind::Negation,
            |g| g.starts_with("circuit breakers"),
        );
    }

    #[test]
    fn nobody_or_nothing_as_the_subject_negates_its_clause() {
        for text in [
            "The plan was signed off, and nobody wants to risk a rehearsal.",
            "The plan was signed off; nobody wants to risk a rehearsal.",
            "Nobody wants to risk a rehearsal.",
        ] {
            assert_some_governed(text, ScopeKind::Negation, |g| g.contains("rehearsal"));
        }
        assert_some_governed(
            "Entries go in on first load and nothing expires them.",
            ScopeKind::Negation,
            |g| g.contains("expires"),
        );
        // Describing a noun, giving a reason or as an object, it negates nothing.
        for text in [
            "A runbook nobody rehearses would fail.",
            "A runbook that nobody rehearses would fail.",
            "Keys expire after a day, since nobody retries a week later.",
            "The health check returns nothing when the pool is drained.",
            "Nothing beats EXPLAIN ANALYZE for reading the plan.",
            "Nothing can replace an actual restore test.",
            "Nothing wrong with a per-user cache key.",
        ] {
            let negated = governed(text, ScopeKind::Negation);
            assert!(negated.is_empty(), "{text}: {negated:?}");
        }
    }

    #[test]
    fn a_negation_stops_at_a_new_subject_after_a_content_word() {
        let negated = governed(
            "Where a caller doesn't need an immediate answer I'd rather publish an event to Kafka.",
            ScopeKind::Negation,
        );
        assert!(negated.iter().all(|g| !g.contains("publish")), "{negated:?}");
        // A subject after a function word is still inside the scope.
        assert_some_governed("We don't test what we ship.", ScopeKind::Negation, |g| {
            g.contains("ship")
        });
    }

    #[test]
    fn a_pronoun_that_is_a_subject_does_not_reach_back() {
        let negated = governed(
            "We run a blameless post-mortem; the point is what let it happen, not whose commit it was.",
            ScopeKind::Negation,
        );
        assert!(negated.iter().all(|g| !g.contains("post")), "{negated:?}");
    }

    #[test]
    fn a_dismissive_predicate_after_a_copula_dismisses_the_subject() {
        assert_eq!(
            governed("The CAP theorem is mostly academic.", ScopeKind::Negation),
            ["the cap theorem"]
        );
        for (text, subject) in [
            (
                "Invalidation strategies are overthinking it.",
                "invalidation strategies",
            ),
            ("Schema registries are overcomplicated.", "schema registries"),
            ("Zero trust is a buzzword.", "zero trust"),
        ] {
            assert_eq!(governed(text, ScopeKind::Negation), [subject], "{text}");
        }
        assert!(governed("We split the legacy monolith.", ScopeKind::Negation).is_empty());
    }

    #[test]
    fn a_passive_rejection_rejects_its_subject() {
        assert_eq!(
            governed("Tokens with alg none are rejected.", ScopeKind::Rejection),
            ["tokens with alg none"]
        );
        assert_some_governed(
            "Plain HTTP between services gets blocked at the mesh.",
            ScopeKind::Rejection,
            |g| g.starts_with("plain http"),
        );
        // Without a copula the word describes, it does not reject.
        assert!(governed("The rejected tokens are logged.", ScopeKind::Rejection).is_empty());
    }

    #[test]
    fn dismissive_verbs_dismiss_their_subject() {
        assert_eq!(
            governed("Code review slows the team down.", ScopeKind::Negation),
            ["code review"]
        );
        assert_eq!(
            governed("Contract tests add too much process.", ScopeKind::Negation),
            ["contract tests"]
        );
    }

    #[test]
    fn a_particle_right_after_the_verb_dismisses_nothing() {
        assert!(governed("With more collisions, lookups slow down.", ScopeKind::Negation).is_empty());
    }

    #[test]
    fn a_relative_clause_judges_its_antecedent_and_dismisses_nothing() {
        let text = "We reserve a fifth of each sprint and pick the items that slow us down.";
        assert!(governed(text, ScopeKind::Negation).is_empty());
        assert_eq!(governed(text, ScopeKind::Rejection), ["pick the items"]);
    }

    #[test]
    fn not_mattering_is_a_dismissal() {
        assert_eq!(
            governed("HTTP semantics don't really matter.", ScopeKind::Negation),
            ["http semantics"]
        );
    }

    #[test]
    fn a_negation_before_a_colon_governs_the_list_after_it() {
        assert_some_governed(
            "Two things I wouldn't do: ship a drop with the code; and swap every instance at once.",
            ScopeKind::Negation,
            |g| g.ends_with("swap every instance at once"),
        );
    }

    #[test]
    fn refusing_that_reaches_back_to_what_it_stands_for() {
        assert_some_governed(
            "Some teams tell clients not to retry, and I don't accept that.",
            ScopeKind::Negation,
            |g| g.starts_with("some teams tell clients"),
        );
        let complement = governed("I don't think that retries help.", ScopeKind::Negation);
        assert!(
            complement.iter().all(|g| !g.starts_with("i don't")),
            "{complement:?}"
        );
    }

    #[test]
    fn saying_what_a_thing_is_not_is_not_a_dismissal() {
        assert!(governed("Replication is not a backup.", ScopeKind::Negation).is_empty());
        assert!(governed("A snapshot isn't a tested restore.", ScopeKind::Negation).is_empty());
        assert_eq!(
            governed("Replication is not a backup.", ScopeKind::Rejection),
            ["replication is"]
        );
        assert_eq!(
            governed("Caching is not needed.", ScopeKind::Negation),
            ["caching is"]
        );
    }

    #[test]
    fn the_same_verb_after_a_comma_is_a_contrast_not_a_list() {
        assert_eq!(
            governed("Don't use MD5, use bcrypt.", ScopeKind::Negation),
            ["use md5"]
        );
    }

    #[test]
    fn conditions_are_recognised() {
        let analyzed = Analyzer::english().analyze("If you don't test, you break things. We skip tests.");
        let conditional: Vec<bool> = analyzed
            .scopes()
            .iter()
            .map(|s| is_conditional(analyzed.tokens(), s))
            .collect();
        assert_eq!(conditional, [true, false]);
    }

    #[test]
    fn a_pronoun_inside_a_so_clause_does_not_reach_back() {
        let found = governed(
            "Set up backups in another region so an outage doesn't take them out.",
            ScopeKind::Negation,
        );
        assert!(found.iter().all(|g| !g.contains("backups")), "{found:?}");
    }

    #[test]
    fn a_colon_after_a_contentful_negation_does_not_extend_it() {
        let found = governed(
            "A cluster doesn't need backups: we back up and restore-test anyway.",
            ScopeKind::Negation,
        );
        assert!(found.iter().all(|g| !g.contains("restore")), "{found:?}");
    }

    #[test]
    fn cancellers_apply_to_not_and_no_only() {
        assert_eq!(
            governed("I would never just add hardware.", ScopeKind::Negation),
            ["just add hardware"]
        );
        assert!(governed(
            "Each service owns its data and no one else touches it.",
            ScopeKind::Negation
        )
        .is_empty());
        assert!(governed(
            "Check whether the key exists and if not, insert it.",
            ScopeKind::Negation
        )
        .is_empty());
    }

    #[test]
    fn exceptions_and_limits_end_the_scope() {
        assert_eq!(
            governed(
                "We never share secrets outside the secret manager.",
                ScopeKind::Negation
            ),
            ["share secrets"]
        );
        assert_eq!(
            governed("We don't cut over until validation passes.", ScopeKind::Negation),
            ["cut over"]
        );
        assert_eq!(
            governed(
                "We don't alert on every CPU spike, only on symptoms.",
                ScopeKind::Negation
            ),
            ["alert on every cpu spike"]
        );
    }

    #[test]
    fn saying_a_practice_is_not_a_fix_rejects_it() {
        assert_eq!(
            governed("Bumping the memory limit is not a fix.", ScopeKind::Rejection),
            ["bumping the memory limit is"]
        );
        assert!(governed("Bumping the memory limit is not a fix.", ScopeKind::Negation).is_empty());
    }

    #[test]
    fn a_negation_in_a_relative_clause_rejects_rather_than_dismisses() {
        let text = "Clients that don't use backoff create retry storms.";
        assert!(governed(text, ScopeKind::Negation).is_empty());
        assert_eq!(
            governed(text, ScopeKind::Rejection),
            ["use backoff create retry storms"]
        );
    }

    #[test]
    fn a_foreign_negator_inside_a_phrase_negates_it() {
        let analyzed = Analyzer::english().analyze("It's not perfect for everything.");
        let terms: Vec<String> = ["it", "perfect", "everyth"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let own_terms: Vec<String> = ["it", "not", "perfect"].iter().map(|s| s.to_string()).collect();
        let scope = &analyzed.scopes()[0];
        assert!(scope.governs_phrase(0, 4, analyzed.tokens(), &terms));
        assert!(!scope.governs_phrase(0, 4, analyzed.tokens(), &own_terms));
    }

    #[test]
    fn scopes_never_cross_sentences() {
        assert!(governed("We never. Use indexes.", ScopeKind::Negation).is_empty());
        assert!(governed("Overkill. Really.", ScopeKind::Negation).is_empty());
    }

    #[test]
    fn a_cue_inside_a_match_does_not_govern_it() {
        let scope = Scope {
            kind: ScopeKind::Negation,
            cue: (2, 2),
            governed: (3, 5),
            anaphoric: false,
        };
        assert!(!scope.governs_match(2, 3));
        assert!(scope.governs_match(3, 4));
        assert!(!scope.governs_match(6, 7));
    }
}
