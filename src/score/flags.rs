//! Red flags: advocated bad practice, unless the answer rejects it.
//!
//! A flag is raised three ways:
//! - an advocating phrase ("disable certificate verification") that no
//!   negation or rejection cue outside it governs;
//! - a good practice named only to be dismissed ("we don't bother with
//!   backups" raises "no backups"), unless that dismissal is itself negated
//!   ("we never skip backups") or the answer also states that practice
//!   plainly elsewhere;
//! - the practice's ingredients said in one sentence, none of them negated,
//!   with the speaker in the clause of one ("I attach a remote debugger to
//!   one of the live JVMs" holds "debugger" and "live"): the candidate
//!   describes doing it.
//!
//! None is raised by words said of others, in a hypothesis, or in a past
//! story that turns to what the speaker does now (a later sentence, or a
//! later clause of its own, saying "now …" or "we replaced it").

use rustc_hash::FxHashSet;

use super::compile::{CompiledPractice, CompiledQuestion, FlagSource};
use super::concepts::collect_evidence;
use super::evaluation::RaisedFlag;
use super::matcher::{Phrase, PhraseMatch, Positions};
use crate::bank::{Question, RedFlag};
use crate::text::negation::{
    drop_restatements, is_conditional, opens_with, sentence_end, sentence_start, RELATIVES,
};
use crate::text::{Analyzed, Scope, ScopeKind, Token};

/// Extra tokens allowed in a red-flag phrase's window beyond its own terms.
pub const PHRASE_SLACK: usize = 2;

/// Conjunctions that open a clause contrasting with the one before it.
const CONTRASTS: &[&str] = &["although", "but", "however", "though", "whereas", "yet"];

/// The matches of a flag's phrase in the answer, less those whose words
/// straddle a contrast: "one shared pool is fine, but global mutable state
/// leaks" does not say "global mutable state is fine". Phrase words match
/// in any order, and a contrast's two sides hold opposite judgements.
fn flag_matches(analyzed: &Analyzed, positions: &Positions<'_>, phrase: &Phrase) -> Vec<PhraseMatch> {
    let tokens = analyzed.tokens();
    let mut found = positions.find(phrase, PHRASE_SLACK, false);
    found.retain(|m| {
        !tokens
            .get(m.first..=m.last)
            .unwrap_or_default()
            .windows(2)
            .any(|pair| pair[1].clause != pair[0].clause && CONTRASTS.contains(&&*pair[1].norm))
    });
    found
}

/// Whether any negation or rejection cue outside the match governs it, the
/// match is only a hypothesis ("if you skip the dry run, …"), or it is said
/// of others ("people sometimes …").
fn is_denied_or_hypothetical(analyzed: &Analyzed, m: &PhraseMatch, terms: &[String]) -> bool {
    is_denied_or_unclaimed(analyzed, m, terms) || told_before_a_turn(analyzed, m)
}

/// As [`is_denied_or_hypothetical`], less the story's turn: a practice's
/// ingredients are weighed one by one, but whether its story turns depends
/// on where the turn stands after all of them ("bcrypt was too slow, so we
/// switched to a single round of SHA-1" turns to the practice).
fn is_denied_or_unclaimed(analyzed: &Analyzed, m: &PhraseMatch, terms: &[String]) -> bool {
    analyzed
        .scopes()
        .iter()
        .any(|s| s.governs_phrase(m.first, m.last, analyzed.tokens(), terms))
        || is_hypothetical(analyzed, m)
        || is_attributed(analyzed.tokens(), m)
}

/// Openers of a sentence that turns a story to what the speaker does now
/// ("Now we take nightly backups", "Since then every call has a timeout").
const TURNS: &[&[&str]] = &[
    &["now"],
    &["so", "now"],
    &["nowadays"],
    &["today"],
    &["these", "days"],
    &["since", "then"],
    &["after", "that"],
    &["from", "then", "on"],
];

/// Past-tense forms that say a sentence tells what happened.
const PAST_FORMS: &[&str] = &[
    "did", "had", "kept", "made", "ran", "took", "used", "was", "were", "went", "wrote",
];

/// Words after which an "-ed" word is a past-tense verb: subjects and the
/// adverbs that stand between a subject and its verb.
const PAST_VERB_SLOTS: &[&str] = &[
    "also",
    "eventually",
    "finally",
    "first",
    "he",
    "i",
    "it",
    "just",
    "never",
    "once",
    "she",
    "then",
    "they",
    "we",
];

/// Verbs by which the speaker tells of changing a practice for another
/// ("which we replaced with bcrypt", "so we switched to signed JWTs"):
/// each names what came after, so what came before was left behind.
/// "moved" counts only before a direction ("moved to", "moved off").
const CHANGE_VERBS: &[&str] = &["migrated", "moved", "replaced", "switched"];

/// Words after "moved" that make it a change of practice, not of pace.
const MOVE_DIRECTIONS: &[&str] = &["away", "from", "off", "onto", "over", "to"];

/// Most words between the speaker and a change verb ("we eventually
/// replaced it", "we've since moved to").
const MAX_TO_CHANGE: usize = 2;

/// Whether the match is in a sentence of a story told in the past tense
/// that turns to the present: a later sentence opens with a turn ("We
/// restored from a dump we had never tested. … Now we test a restore every
/// month."), or a later clause of the same sentence does ("…, so now every
/// key is namespaced") or has the speaker change the practice ("…, which
/// we replaced with bcrypt"). What happened then is what the speaker left
/// behind.
///
/// A turn whose clause holds a negation carries the story on rather than
/// turning it ("…; since then we haven't had time to cap it").
fn told_before_a_turn(analyzed: &Analyzed, m: &PhraseMatch) -> bool {
    let tokens = analyzed.tokens();
    let (start, end) = (sentence_start(tokens, m.first), sentence_end(tokens, m.first));
    // The opener's last word, when it turns: its clause says what follows.
    let turns = |last: Option<usize>| last.is_some_and(|last| !is_negated_clause(analyzed, last));
    let turn_in_sentence = (m.last + 1..=end)
        .filter(|&i| tokens[i - 1].clause != tokens[i].clause && tokens[i].clause > tokens[m.first].clause)
        .find(|&i| turns(opens_a_turn(tokens, i).or_else(|| changes_practice(tokens, i).then_some(i))));
    // The story is what comes before the turn: "-ed" right after a subject
    // or an adverb of time is a verb ("we restored", "had never tested"),
    // not an adjective ("failed calls").
    let story_end = turn_in_sentence.unwrap_or(end + 1);
    let past = (start..story_end).any(|i| {
        let t = &tokens[i];
        let verb_slot = i
            .checked_sub(1)
            .and_then(|p| tokens.get(p))
            .is_some_and(|p| PAST_VERB_SLOTS.contains(&&*p.norm));
        PAST_FORMS.contains(&&*t.norm) || (verb_slot && t.norm.len() > 4 && t.norm.ends_with("ed"))
    });
    past && (turn_in_sentence.is_some()
        || (end + 1..tokens.len())
            .filter(|&i| tokens[i - 1].sentence != tokens[i].sentence)
            .any(|i| turns(opens_a_turn(tokens, i))))
}

/// Whether a negation cue stands in the clause of token `i`: the turn it
/// opens carries the story on ("since then we haven't had time to cap it").
fn is_negated_clause(analyzed: &Analyzed, i: usize) -> bool {
    let tokens = analyzed.tokens();
    let clause = tokens.get(i).map(|t| t.clause);
    analyzed
        .scopes()
        .iter()
        .any(|s| s.kind == ScopeKind::Negation && tokens.get(s.cue.0).map(|t| t.clause) == clause)
}

/// The last word of the [`TURNS`] opener the sentence or clause starting
/// at `i` opens with, if any ("since then" opens two clauses: the second
/// says what the speaker does since).
fn opens_a_turn(tokens: &[Token], i: usize) -> Option<usize> {
    TURNS
        .iter()
        .find(|words| opens_with(tokens, i, words))
        .map(|words| i + words.len() - 1)
}

/// Whether the clause starting at `i` has the speaker change a practice: a
/// first-person word and, at most [`MAX_TO_CHANGE`] words on, one of
/// [`CHANGE_VERBS`] ("so we replaced it", "which we eventually moved off").
fn changes_practice(tokens: &[Token], i: usize) -> bool {
    let clause = tokens[i].clause;
    let in_clause = |j: usize| tokens.get(j).filter(|t| t.clause == clause);
    (i..)
        .map_while(|j| in_clause(j).map(|t| (j, t)))
        .filter(|(_, t)| FIRST_PERSON.contains(&&*t.norm))
        .any(|(j, _)| {
            (j + 1..=j + 1 + MAX_TO_CHANGE).any(|k| {
                in_clause(k).is_some_and(|t| {
                    CHANGE_VERBS.contains(&&*t.norm)
                        && (&*t.norm != "moved"
                            || in_clause(k + 1).is_some_and(|n| MOVE_DIRECTIONS.contains(&&*n.norm)))
                })
            })
        })
}

/// Subjects that make a practice someone else's ("people sometimes shard on
/// an auto-increment id, and every insert hammers the last shard").
const OTHERS: &[&str] = &[
    "anyone",
    "developers",
    "engineers",
    "everybody",
    "everyone",
    "folks",
    "others",
    "people",
    "somebody",
    "someone",
    "teams",
];

/// Whether the match's clause says it of others: one of [`OTHERS`] before
/// it in its clause, with no speaker between ("people often cache it
/// forever"; "people ask, so we cache it forever" is the speaker's).
fn is_attributed(tokens: &[Token], m: &PhraseMatch) -> bool {
    for t in before_in_clause(tokens, m) {
        if FIRST_PERSON.contains(&&*t.norm) {
            return false;
        }
        if OTHERS.contains(&&*t.norm) {
            return true;
        }
    }
    false
}

/// The tokens of the match's clause before it, nearest first.
fn before_in_clause<'t>(tokens: &'t [Token], m: &PhraseMatch) -> impl Iterator<Item = &'t Token> {
    let clause = tokens[m.first].clause;
    tokens[..m.first]
        .iter()
        .rev()
        .take_while(move |t| t.clause == clause)
}

/// Whether the match sits in a condition: after an "if", "unless" or
/// "whether" in its clause, and before the consequent's subject. "If a call
/// times out we tell clients not to retry" states a practice, as it does
/// with a comma after "out": a speaker pronoun ("we", "I", "you", "they")
/// after the condition's first word opens the consequent.
fn is_hypothetical(analyzed: &Analyzed, m: &PhraseMatch) -> bool {
    let tokens = analyzed.tokens();
    let clause = tokens[m.first].clause;
    let is_condition = |norm: &str| matches!(norm, "if" | "unless" | "whether");
    if is_hypothetical_cause(tokens, m) {
        return true;
    }
    let mut consequent = false;
    for j in (0..=m.first).rev() {
        let t = &tokens[j];
        if t.clause != clause {
            break;
        }
        if is_condition(&t.norm) {
            return !consequent;
        }
        let follows_condition = j > 0 && is_condition(&tokens[j - 1].norm);
        if matches!(&*t.norm, "we" | "i" | "you" | "they") && !follows_condition {
            consequent = true;
        }
    }
    false
}

/// Words by which a clause speaks in the first person: the candidate says
/// what they do, did or would do, rather than what others do or what a
/// practice leads to.
const FIRST_PERSON: &[&str] = &[
    "i",
    "i'd",
    "i'll",
    "i'm",
    "i've",
    "me",
    "my",
    "myself",
    "our",
    "ours",
    "ourselves",
    "us",
    "we",
    "we'd",
    "we'll",
    "we're",
    "we've",
];

/// The clauses in which a first-person word stands. A match in one has the
/// speaker doing it ("I'll SSH into the box, open the file in vim"); a first
/// person in another clause speaks of something else ("For tooling I like
/// k6; wrk is handy for one endpoint").
fn speaking_clauses(tokens: &[Token]) -> FxHashSet<u32> {
    tokens
        .iter()
        .filter(|t| FIRST_PERSON.contains(&&*t.norm))
        .map(|t| t.clause)
        .collect()
}

/// One match per ingredient group, each with the alternative it matched.
type Picks<'p> = Vec<(PhraseMatch, &'p str)>;

/// Where `practice` is described as done: one sentence holding an
/// alternative of every ingredient group, no two on the same words, none
/// negated, rejected or hypothetical, and the speaker in the clause of one
/// of them, unless the sentence tells a story that turns after all of them
/// ([`told_before_a_turn`]). The evidence is each group's first such match in the first
/// sentence that holds them all, each reported as its alternative.
fn practice_evidence<'p>(
    analyzed: &Analyzed,
    positions: &Positions<'_>,
    practice: &'p CompiledPractice,
) -> Picks<'p> {
    // Most practices miss a group outright: say so before matching any.
    let present = |p: &Phrase| p.terms.iter().all(|t| positions.contains(t));
    if !practice.groups.iter().all(|g| g.iter().any(present)) {
        return Vec::new();
    }
    let tokens = analyzed.tokens();
    let mut groups: Vec<Vec<(PhraseMatch, &'p str)>> = Vec::with_capacity(practice.groups.len());
    for group in &practice.groups {
        let matches: Vec<(PhraseMatch, &str)> = group
            .iter()
            .flat_map(|p| {
                flag_matches(analyzed, positions, p)
                    .into_iter()
                    .filter(|m| !is_denied_or_unclaimed(analyzed, m, &p.terms))
                    .map(move |m| (m, p.text.as_str()))
            })
            .collect();
        if matches.is_empty() {
            return Vec::new();
        }
        groups.push(matches);
    }
    let speaking = speaking_clauses(tokens);
    let spoken = |m: &PhraseMatch| tokens.get(m.first).is_some_and(|t| speaking.contains(&t.clause));
    // Within each group, matches in a first-person clause first: the greedy
    // choice below then finds the speaker whenever one of the picks can.
    for group in &mut groups {
        group.sort_by_key(|(m, _)| !spoken(m));
    }
    let sentence_of = |m: &PhraseMatch| tokens.get(m.first).map(|t| t.sentence);
    let Some((first, rest)) = groups.split_first() else {
        return Vec::new();
    };
    // Every complete combination, with whether its story turns after it.
    let mut found: Vec<(u32, bool, Picks<'p>)> = Vec::new();
    for &(m, said) in first {
        let Some(sentence) = sentence_of(&m) else { continue };
        // Each group says its own words: "global state" is not both the
        // "global" and the "state" of a practice.
        let mut picks = vec![(m, said)];
        for group in rest {
            let free = group.iter().find(|(n, _)| {
                sentence_of(n) == Some(sentence)
                    && picks.iter().all(|(p, _)| n.last < p.first || n.first > p.last)
            });
            match free {
                Some(&pick) => picks.push(pick),
                None => break,
            }
        }
        if picks.len() == groups.len() && picks.iter().any(|(m, _)| spoken(m)) {
            let first = picks.iter().map(|(m, _)| m.first).min().unwrap_or(m.first);
            let last = picks.iter().map(|(m, _)| m.last).max().unwrap_or(m.last);
            let turned = told_before_a_turn(
                analyzed,
                &PhraseMatch {
                    first,
                    last,
                    misspelled: false,
                },
            );
            found.push((sentence, turned, picks));
        }
    }
    // A sentence whose story holds the whole practice before its turn left
    // it behind, though the turn repeats one of its words ("kept retrying
    // with no limit, so now every retry is capped").
    let turned: FxHashSet<u32> = found.iter().filter(|f| f.1).map(|f| f.0).collect();
    found
        .into_iter()
        .find(|(sentence, _, _)| !turned.contains(sentence))
        .map(|(_, _, picks)| picks)
        .unwrap_or_default()
}

/// Modals that make a clause's subject the cause of what would happen
/// ("attaching a debugger to a live process would freeze requests").
const HYPOTHETICAL_MODALS: &[&str] = &["could", "might", "would"];

/// Most words between a match and the modal that makes it a hypothetical
/// cause: room for the rest of a gerund subject ("running the migration
/// straight on production without a dry run would …"). 6 rather than 4
/// since 1.42.0, measured on the honest flag probes.
const MAX_TO_MODAL: usize = 6;

/// Whether the match is the subject of a modal: no speaker before it in
/// its clause, and "would", "could" or "might" inside it or just after it
/// ("a call with no timeout would let one slow dependency exhaust the
/// pool", "a debugger on a live process would freeze it"). The
/// practice is weighed, not done; "we would attach a debugger" still is.
fn is_hypothetical_cause(tokens: &[Token], m: &PhraseMatch) -> bool {
    let clause = tokens[m.first].clause;
    let speaker_before = before_in_clause(tokens, m)
        .any(|t| FIRST_PERSON.contains(&&*t.norm) || matches!(&*t.norm, "you" | "they"));
    !speaker_before
        && tokens
            .iter()
            .skip(m.first + 1)
            .take(m.last - m.first + MAX_TO_MODAL)
            .take_while(|t| t.clause == clause)
            .any(|t| HYPOTHETICAL_MODALS.contains(&&*t.norm))
}

/// Whether the match is dismissed: governed by an odd number of cues, at
/// least one a negation, none of them a condition. Nested cues cancel
/// ("we never skip backups", "I won't stop writing tests"), and conditions
/// state no practice ("without tests, …", "if you don't test, …"). A
/// pronoun's cue that spans another cue restates it ("X is overkill, so we
/// skip them" dismisses X once).
///
/// A list item with a cue of its own states its own polarity: the cue of a
/// list's header or first item does not count again ("things I refuse to
/// do: … I never turn off certificate verification" rejects once; "no
/// tests, no reviews" dismisses both).
fn is_dismissed(analyzed: &Analyzed, m: &PhraseMatch, terms: &[String]) -> bool {
    let tokens = analyzed.tokens();
    let clause = tokens[m.first].clause;
    let mut governing: Vec<&Scope> = analyzed
        .scopes()
        .iter()
        .filter(|s| s.governs_phrase(m.first, m.last, tokens, terms))
        .collect();
    let own_cue = |s: &&Scope| tokens[s.cue.0].clause == clause;
    // A relative clause belongs to what the cue before it governs ("wary of
    // anyone who says it has no downsides"): it is not a list item.
    let opener = before_in_clause(tokens, m).last().unwrap_or(&tokens[m.first]);
    let relative = RELATIVES.contains(&&*opener.norm);
    if !relative && governing.iter().any(own_cue) {
        governing.retain(|s| own_cue(s) || s.cue.0 > m.last);
    }
    drop_restatements(&mut governing);
    drop_repeated_negators(&mut governing, tokens, m);
    let conditional = governing.iter().any(|s| is_conditional(tokens, s));
    let negated = governing.iter().any(|s| s.kind == ScopeKind::Negation);
    negated && !conditional && governing.len() % 2 == 1
}

/// Drops from `governing` each negation whose cue lies inside the match and
/// repeats the word of a negation before it: "no expiry and no
/// invalidation" negates each item once, it does not negate the second twice.
fn drop_repeated_negators(governing: &mut Vec<&Scope>, tokens: &[Token], m: &PhraseMatch) {
    let word = |s: &Scope| tokens.get(s.cue.0).map(|t| &*t.norm);
    let before: Vec<&str> = governing
        .iter()
        .filter(|s| s.kind == ScopeKind::Negation && s.cue.1 < m.first)
        .filter_map(|s| word(s))
        .collect();
    governing.retain(|s| {
        let inside = s.cue.0 > m.first && s.cue.1 < m.last;
        !(s.kind == ScopeKind::Negation && inside && word(s).is_some_and(|w| before.contains(&w)))
    });
}

/// Every red flag `answer` raises, the question's own first, then the common ones.
pub fn assess(
    answer: &str,
    analyzed: &Analyzed,
    positions: &Positions<'_>,
    question: &Question,
    common: &[RedFlag],
    compiled: &CompiledQuestion,
) -> Vec<RaisedFlag> {
    let mut raised = Vec::new();
    for compiled_flag in compiled.flags() {
        let (flag, is_common) = match compiled_flag.source {
            FlagSource::Question(i) => (question.red_flags.get(i), false),
            FlagSource::Common(i) => (common.get(i), true),
        };
        let Some(flag) = flag else { continue };
        let advocated = compiled_flag.phrases.iter().flat_map(|p| {
            flag_matches(analyzed, positions, p)
                .into_iter()
                .filter(|m| !is_denied_or_hypothetical(analyzed, m, &p.terms))
                .map(move |m| (m, p.text.as_str()))
        });
        let mut dismissed: Vec<(PhraseMatch, &str)> = Vec::new();
        for p in &compiled_flag.dismissing {
            let matches = flag_matches(analyzed, positions, p);
            // A practice the answer also states plainly is ranked, not
            // dismissed ("limiting the damage first, not finding the root
            // cause … then a post-mortem with the root cause"), as concepts are.
            if matches
                .iter()
                .any(|m| !is_denied_or_hypothetical(analyzed, m, &p.terms))
            {
                continue;
            }
            dismissed.extend(
                matches
                    .into_iter()
                    .filter(|m| is_dismissed(analyzed, m, &p.terms))
                    .map(|m| (m, p.text.as_str())),
            );
        }
        let described = compiled_flag
            .practices
            .iter()
            .flat_map(|p| practice_evidence(analyzed, positions, p));
        let evidence: Vec<(PhraseMatch, &str)> = advocated.chain(dismissed).chain(described).collect();
        if evidence.is_empty() {
            continue;
        }
        raised.push(RaisedFlag {
            id: flag.id.to_string(),
            label: flag.label.to_string(),
            severity: flag.severity,
            why: flag.why.to_string(),
            common: is_common,
            evidence: collect_evidence(answer, analyzed, evidence),
        });
    }
    raised
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Analyzer;

    fn practice(text: &str) -> CompiledPractice {
        let analyzer = Analyzer::english();
        let groups = text
            .split('&')
            .map(|g| {
                g.split('|')
                    .map(|a| Phrase {
                        text: a.trim().to_owned(),
                        terms: analyzer.phrase_terms(a.trim()),
                        len: analyzer.analyze(a.trim()).tokens().len(),
                    })
                    .collect()
            })
            .collect();
        CompiledPractice { groups }
    }

    fn described(answer: &str, text: &str) -> Vec<String> {
        let analyzed = Analyzer::english().analyze(answer);
        let positions = Positions::new(&analyzed);
        let practice = practice(text);
        practice_evidence(&analyzed, &positions, &practice)
            .into_iter()
            .map(|(_, said)| said.to_owned())
            .collect()
    }

    const DEBUGGER: &str = "debugger | breakpoint & production | live";

    #[test]
    fn a_first_person_sentence_holding_every_ingredient_describes_the_practice() {
        assert_eq!(
            described(
                "When the logs run dry, I attach a remote debugger to one of the live JVMs.",
                DEBUGGER
            ),
            ["debugger", "live"]
        );
        assert_eq!(
            described("We'd set a breakpoint in production and step through.", DEBUGGER),
            ["breakpoint", "production"]
        );
    }

    #[test]
    fn ingredients_in_two_sentences_or_outside_the_first_person_describe_nothing() {
        assert!(described("I attach a debugger. Production is busy.", DEBUGGER).is_empty());
        assert!(described("Some teams attach a debugger to production.", DEBUGGER).is_empty());
        assert!(described("I read the logs; a debugger in production freezes it.", DEBUGGER).is_empty());
    }

    #[test]
    fn a_phrase_whose_words_straddle_a_contrast_is_no_match() {
        let Some(phrase) = practice("global mutable state is fine")
            .groups
            .pop()
            .and_then(|mut g| g.pop())
        else {
            panic!("one group of one phrase");
        };
        let found = |answer: &str| {
            let analyzed = Analyzer::english().analyze(answer);
            flag_matches(&analyzed, &Positions::new(&analyzed), &phrase).len()
        };
        assert_eq!(found("Honestly, global mutable state is fine."), 1);
        assert_eq!(found("It is fine, and global mutable state helps."), 1);
        assert_eq!(found("One pool is fine, but global mutable state leaks."), 0);
    }

    #[test]
    fn the_speaker_may_stand_by_any_match_of_a_group() {
        assert_eq!(
            described(
                "The debugger stays attached in production, since we run it live.",
                DEBUGGER
            ),
            ["debugger", "live"]
        );
    }

    #[test]
    fn each_ingredient_needs_words_of_its_own() {
        let practice = "global state | global variable & state | data";
        assert!(described("We keep global state in one module.", practice).is_empty());
        assert_eq!(
            described("We keep a global variable with the user data in it.", practice),
            ["global variable", "data"]
        );
    }

    #[test]
    fn a_practice_weighed_as_the_cause_of_a_harm_describes_nothing() {
        assert!(described(
            "Attaching a debugger to a live process would freeze requests, so I read traces.",
            DEBUGGER
        )
        .is_empty());
        assert_eq!(
            described("I would attach a debugger to the live process.", DEBUGGER),
            ["debugger", "live"]
        );
    }

    #[test]
    fn a_negated_or_rejected_ingredient_describes_nothing() {
        assert!(described("I never attach a debugger to production.", DEBUGGER).is_empty());
        assert!(described(
            "We avoid breakpoints in production, they freeze requests.",
            DEBUGGER
        )
        .is_empty());
        assert!(described(
            "If we attached a debugger to production, requests would hang.",
            DEBUGGER
        )
        .is_empty());
    }
}
