//! Which questions each tenant evaluates against: the shipped bank, plus the
//! tenant's own questions from the store, indexed live.
//!
//! A tenant without questions of its own shares the bank's evaluator. A
//! tenant with some gets an evaluator built over the bank and its questions,
//! swapped in atomically when they change: at once on the instance that made
//! the change, and within [`super::Config::question_poll`] on every other,
//! which polls the per-tenant version the store bumps with each change.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::bank::json::{FieldProblem, JsonSource};
use crate::bank::{Slug, SourceFile};
use crate::store::{Store, StoreError, TenantQuestion};
use crate::Evaluator;

/// The folder tenant questions are named under in diagnostics.
const TENANT_DIR: &str = "tenant";

/// One tenant's evaluator and the ids of its own questions.
#[derive(Debug)]
struct TenantBank {
    version: i64,
    evaluator: Arc<Evaluator>,
    own: BTreeSet<String>,
}

/// The evaluators of every tenant.
#[derive(Debug)]
pub struct Catalog {
    base_sources: Vec<SourceFile>,
    base: Arc<Evaluator>,
    tenants: ArcSwap<HashMap<String, Arc<TenantBank>>>,
    refreshing: tokio::sync::Mutex<()>,
}

/// Why a tenant question was refused.
#[derive(Debug)]
pub enum QuestionRefusal {
    /// It is not a valid question; every problem, at its pointer.
    Invalid(Vec<FieldProblem>),
    /// Its id is a shipped bank question's.
    InBank(String),
}

impl Catalog {
    /// A catalog over `base`, the evaluator built from `base_sources`.
    pub fn new(base: Arc<Evaluator>, base_sources: Vec<SourceFile>) -> Catalog {
        Catalog {
            base_sources,
            base,
            tenants: ArcSwap::from_pointee(HashMap::new()),
            refreshing: tokio::sync::Mutex::new(()),
        }
    }

    /// The shipped bank's evaluator.
    pub fn base(&self) -> &Arc<Evaluator> {
        &self.base
    }

    /// The evaluator `tenant` evaluates with.
    pub fn evaluator(&self, tenant: &str) -> Arc<Evaluator> {
        self.tenants
            .load()
            .get(tenant)
            .map_or_else(|| Arc::clone(&self.base), |t| Arc::clone(&t.evaluator))
    }

    /// Whether `id` is one of `tenant`'s own questions.
    pub fn owns(&self, tenant: &str, id: &str) -> bool {
        self.tenants
            .load()
            .get(tenant)
            .is_some_and(|t| t.own.contains(id))
    }

    /// Checks `question` as a tenant's, beside its `others`, exactly as
    /// `assay check` checks a corpus file: the loader's diagnostics, then its
    /// model answers scored by the engine (each must rate as expert). Builds
    /// a whole evaluator: run it on the blocking pool.
    pub fn check(
        &self,
        others: &[TenantQuestion],
        question: &serde_json::Value,
    ) -> Result<(), QuestionRefusal> {
        let candidate = JsonSource::new(question, TENANT_DIR).map_err(QuestionRefusal::Invalid)?;
        let id = question.get("id").and_then(|v| v.as_str()).unwrap_or_default();
        // The loader skips files named `_…`, so the id is checked here first.
        if let Err(message) = Slug::parse(id) {
            return Err(QuestionRefusal::Invalid(vec![FieldProblem {
                pointer: "/id".to_owned(),
                message: format!("id: {message}"),
            }]));
        }
        if self.base.bank().get(id).is_some() {
            return Err(QuestionRefusal::InBank(id.to_owned()));
        }
        let mut sources = self.base_sources.clone();
        sources.extend(
            others
                .iter()
                .filter(|q| q.id != id)
                .filter_map(|q| stored_source(q).ok()),
        );
        sources.push(candidate.source.clone());
        let evaluator = Evaluator::from_sources(&sources).map_err(|err| {
            let problems = match &err {
                crate::Error::Bank(bank) => candidate.problems(bank),
                _ => Vec::new(),
            };
            QuestionRefusal::Invalid(if problems.is_empty() {
                vec![FieldProblem {
                    pointer: String::new(),
                    message: err.to_string(),
                }]
            } else {
                problems
            })
        })?;
        let (weak, _) = crate::check::question_model_answers(&evaluator, id).map_err(|err| {
            QuestionRefusal::Invalid(vec![FieldProblem {
                pointer: "/model_answers".to_owned(),
                message: err.to_string(),
            }])
        })?;
        if weak.is_empty() {
            Ok(())
        } else {
            Err(QuestionRefusal::Invalid(
                weak.into_iter()
                    .map(|p| FieldProblem {
                        pointer: format!("/model_answers/{}", p.index),
                        message: format!(
                            "a model answer must rate as expert against the question's own concepts: it {}",
                            p.message
                        ),
                    })
                    .collect(),
            ))
        }
    }

    /// Reloads `tenant`'s questions from the store and swaps in a new evaluator.
    pub async fn refresh(self: &Arc<Self>, store: &Store, tenant: &str) -> Result<(), StoreError> {
        let _one_at_a_time = self.refreshing.lock().await;
        let versions = store.question_versions().await?;
        let version = versions.iter().find(|(t, _)| t == tenant).map_or(0, |(_, v)| *v);
        let questions = store.tenant_questions(tenant).await?;
        let catalog = Arc::clone(self);
        let tenant_name = tenant.to_owned();
        let built = tokio::task::spawn_blocking(move || catalog.build(&tenant_name, &questions, version))
            .await
            .map_err(|err| StoreError::Corrupt(format!("building an evaluator: {err}")))?;
        let mut tenants = HashMap::clone(&self.tenants.load());
        tenants.insert(tenant.to_owned(), Arc::new(built));
        self.tenants.store(Arc::new(tenants));
        Ok(())
    }

    /// Refreshes every tenant whose questions changed since last seen;
    /// returns how many were refreshed.
    pub async fn sync(self: &Arc<Self>, store: &Store) -> Result<usize, StoreError> {
        let versions = store.question_versions().await?;
        let mut refreshed = 0;
        for (tenant, version) in versions {
            let known = self.tenants.load().get(&tenant).map(|t| t.version);
            if known.is_none_or(|known| known < version) {
                self.refresh(store, &tenant).await?;
                refreshed += 1;
            }
        }
        Ok(refreshed)
    }

    /// The bank plus `questions`; a question that no longer loads (after a
    /// bank upgrade, say) is left out and logged rather than taking the
    /// tenant's other questions down with it.
    fn build(&self, tenant: &str, questions: &[TenantQuestion], version: i64) -> TenantBank {
        let shared = |own: BTreeSet<String>| TenantBank {
            version,
            evaluator: Arc::clone(&self.base),
            own,
        };
        let mut sources: Vec<(String, SourceFile)> = Vec::new();
        for question in questions {
            match stored_source(question) {
                Ok(source) => sources.push((question.id.clone(), source)),
                Err(err) => {
                    tracing::error!(tenant, question = %question.id, error = %err, "stored question unreadable")
                }
            }
        }
        for _ in 0..2 {
            if sources.is_empty() {
                return shared(BTreeSet::new());
            }
            let mut all = self.base_sources.clone();
            all.extend(sources.iter().map(|(_, s)| s.clone()));
            match Evaluator::from_sources(&all) {
                Ok(evaluator) => {
                    return TenantBank {
                        version,
                        evaluator: Arc::new(evaluator),
                        own: sources.into_iter().map(|(id, _)| id).collect(),
                    }
                }
                Err(crate::Error::Bank(crate::bank::BankError::Invalid(diagnostics))) => {
                    tracing::error!(
                        tenant,
                        problems = diagnostics.len(),
                        "tenant questions no longer load; leaving them out"
                    );
                    sources.retain(|(_, s)| !diagnostics.iter().any(|d| d.path == s.path));
                }
                Err(err) => {
                    tracing::error!(tenant, error = %err, "tenant questions could not be indexed");
                    break;
                }
            }
        }
        shared(BTreeSet::new())
    }
}

/// A stored question as a corpus source.
fn stored_source(question: &TenantQuestion) -> Result<SourceFile, String> {
    let value: serde_json::Value = serde_json::from_str(&question.body).map_err(|err| err.to_string())?;
    JsonSource::new(&value, TENANT_DIR)
        .map(|s| s.source)
        .map_err(|problems| format!("{} problems", problems.len()))
}
