//! `assay webhooks`: register, list, rotate and remove a tenant's webhook
//! endpoints, and read their delivery logs, in the store `assay serve` uses.

use std::process::ExitCode;

use anyhow::bail;
use assay::bank::Slug;
use assay::store::{rfc3339, Store, DEFAULT_TENANT};
use assay::webhooks::{check_url, EVENTS};

use super::StoreArgs;

/// Arguments of `assay webhooks`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
    /// The tenant whose endpoints these are.
    #[arg(long, global = true, default_value = DEFAULT_TENANT, value_parser = parse_tenant)]
    tenant: String,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Register an endpoint and print its signing secret.
    Add {
        /// Where to POST messages: https://, or http:// to localhost.
        #[arg(long, value_parser = parse_url)]
        url: String,
        /// An event to receive (evaluation.completed, assessment.completed); repeat for more.
        #[arg(long = "event", required = true, value_parser = parse_event)]
        events: Vec<String>,
    },
    /// List the tenant's endpoints (never their secrets).
    List,
    /// Give an endpoint a new secret; the old one keeps signing for the overlap.
    Rotate {
        /// The endpoint's id.
        id: String,
        /// Seconds the old secret keeps signing beside the new.
        #[arg(long, default_value_t = 86_400)]
        overlap: u32,
    },
    /// Remove an endpoint with its queue and log.
    Remove {
        /// The endpoint's id.
        id: String,
    },
    /// An endpoint's delivery log, newest first.
    Deliveries {
        /// The endpoint's id.
        id: String,
        /// How many messages.
        #[arg(long, default_value_t = 20)]
        limit: u16,
    },
}

fn parse_tenant(value: &str) -> Result<String, String> {
    Slug::parse(value)
        .map(|s| s.to_string())
        .map_err(|e| format!("a tenant {e}"))
}

fn parse_url(value: &str) -> Result<String, String> {
    check_url(value)
        .map(|()| value.to_owned())
        .map_err(|e| format!("the url {e}"))
}

fn parse_event(value: &str) -> Result<String, String> {
    if EVENTS.contains(&value) {
        Ok(value.to_owned())
    } else {
        Err(format!("use one of {}", EVENTS.join(", ")))
    }
}

/// Runs `assay webhooks`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Args {
        command,
        tenant,
        store,
    } = args;
    store.run(|store| async move { run_command(&store, &tenant, command).await })
}

async fn run_command(store: &Store, tenant: &str, command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Add { url, mut events } => {
            events.sort();
            events.dedup();
            let endpoint = store.create_endpoint(tenant, &url, &events).await?;
            eprintln!(
                "Registered {} for {} in tenant `{tenant}`. Its signing secret:",
                endpoint.id,
                endpoint.events.join(", ")
            );
            outln!("{}", endpoint.secret)?;
        }
        Command::List => {
            for e in store.endpoints(tenant).await? {
                let status = e
                    .disabled_ms
                    .map_or_else(|| "enabled".to_owned(), |ms| format!("disabled {}", rfc3339(ms)));
                outln!("{}\t{}\t{}\t{status}", e.id, e.url, e.events.join(","))?;
            }
        }
        Command::Rotate { id, overlap } => {
            match store
                .rotate_endpoint_secret(tenant, &id, i64::from(overlap) * 1000)
                .await?
            {
                Some(endpoint) => {
                    eprintln!(
                        "Rotated {id}; the old secret signs beside the new for {overlap} s. The new secret:"
                    );
                    outln!("{}", endpoint.secret)?;
                }
                None => bail!("tenant `{tenant}` has no webhook endpoint `{id}`"),
            }
        }
        Command::Remove { id } => {
            if !store.delete_endpoint(tenant, &id).await? {
                bail!("tenant `{tenant}` has no webhook endpoint `{id}`");
            }
            eprintln!("Removed {id}.");
        }
        Command::Deliveries { id, limit } => {
            if store.endpoint(tenant, &id).await?.is_none() {
                bail!("tenant `{tenant}` has no webhook endpoint `{id}`");
            }
            for (delivery, attempts) in store.deliveries(tenant, &id, i64::from(limit)).await? {
                let last = attempts.last().map_or_else(String::new, |a| {
                    a.status_code
                        .map_or_else(|| a.error.clone().unwrap_or_default(), |c| format!("HTTP {c}"))
                });
                outln!(
                    "{}\t{}\t{}\t{:?}\t{} attempts\t{last}",
                    delivery.id,
                    rfc3339(delivery.created_ms),
                    delivery.event,
                    delivery.status,
                    attempts.len()
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
