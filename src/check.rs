//! Verifying a corpus with the engine itself: every model answer must score
//! at least [`MIN_MODEL_SCORE`] and raise no red flag.

use crate::score::Evaluator;
use crate::Result;

/// The lowest score a model answer may get.
pub const MIN_MODEL_SCORE: f64 = 85.0;

/// A model answer the engine does not rate as expert.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelAnswerProblem {
    /// The question's id.
    pub question_id: String,
    /// `full` or `concise`, and its position among the question's answers.
    pub answer: String,
    /// Its position among the question's model answers, from 0.
    pub index: usize,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for ModelAnswerProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: model answer {}: {}",
            self.question_id, self.answer, self.message
        )
    }
}

/// Scores every model answer of the evaluator's bank; returns each one that
/// falls short, and the lowest model-answer score seen.
pub fn model_answers(evaluator: &Evaluator) -> Result<(Vec<ModelAnswerProblem>, f64)> {
    let mut problems = Vec::new();
    let mut lowest = f64::INFINITY;
    for q in evaluator.bank().questions() {
        let (mut found, low) = question_model_answers(evaluator, q.id.as_str())?;
        problems.append(&mut found);
        lowest = lowest.min(low);
    }
    Ok((problems, if lowest.is_finite() { lowest } else { 0.0 }))
}

/// Scores the model answers of one question (a tenant's new one, say);
/// returns each that falls short, and the lowest score.
pub fn question_model_answers(
    evaluator: &Evaluator,
    question_id: &str,
) -> Result<(Vec<ModelAnswerProblem>, f64)> {
    let mut problems = Vec::new();
    let mut lowest = f64::INFINITY;
    let Some(q) = evaluator.bank().get(question_id) else {
        return Ok((problems, 0.0));
    };
    for (i, answer) in q.model_answers.iter().enumerate() {
        let evaluation = evaluator.evaluate(q.id.as_str(), answer.text.as_str())?;
        lowest = lowest.min(evaluation.score);
        let kind = match answer.kind {
            crate::bank::AnswerKind::Full => "full",
            crate::bank::AnswerKind::Concise => "concise",
        };
        let name = format!("#{} ({kind})", i + 1);
        if evaluation.score < MIN_MODEL_SCORE {
            let missing: Vec<&str> = evaluation.missing.iter().map(|m| m.id.as_str()).collect();
            let dismissed: Vec<&str> = evaluation.dismissed.iter().map(|m| m.id.as_str()).collect();
            let demoted: Vec<&str> = evaluation
                .covered
                .iter()
                .filter(|c| c.credit < 1.0)
                .map(|c| c.id.as_str())
                .collect();
            problems.push(ModelAnswerProblem {
                question_id: q.id.to_string(),
                answer: name.clone(),
                index: i,
                message: format!(
                    "scores {:.1} (needs {MIN_MODEL_SCORE}); missing [{}], dismissed [{}], demoted [{}]",
                    evaluation.score,
                    missing.join(", "),
                    dismissed.join(", "),
                    demoted.join(", ")
                ),
            });
        }
        for flag in &evaluation.red_flags {
            let at = flag.evidence.first().map(|e| e.text.as_str()).unwrap_or_default();
            problems.push(ModelAnswerProblem {
                question_id: q.id.to_string(),
                answer: name.clone(),
                index: i,
                message: format!("raises red flag `{}` at \"{at}\"", flag.id),
            });
        }
    }
    Ok((problems, if lowest.is_finite() { lowest } else { 0.0 }))
}
