//! `assay keys`: create, list and revoke API keys in the store `assay serve` uses.

use std::process::ExitCode;

use assay::bank::Slug;
use assay::store::{rfc3339, validate_name, Role, DEFAULT_TENANT};

use super::StoreArgs;

/// Arguments of `assay keys`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Create a key and print its token (shown this once, stored only as a hash).
    Create {
        /// What the key may do: admin, integration or candidate.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Who or what uses the key.
        #[arg(long, value_parser = parse_name)]
        name: String,
        /// The tenant the key belongs to (created when new).
        #[arg(long, default_value = DEFAULT_TENANT, value_parser = parse_tenant)]
        tenant: String,
        /// Requests a minute for this key [default: the server's].
        #[arg(long, value_name = "PER_MINUTE")]
        rate_limit: Option<u32>,
    },
    /// List keys (never their secrets).
    List {
        /// Only this tenant's keys.
        #[arg(long)]
        tenant: Option<String>,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a key: requests with it are refused from then on.
    Revoke {
        /// The key's id, as `assay keys list` shows it.
        id: String,
    },
}

fn parse_role(value: &str) -> Result<Role, String> {
    value.parse()
}

fn parse_name(value: &str) -> Result<String, String> {
    validate_name(value).map(|()| value.trim().to_owned())
}

fn parse_tenant(value: &str) -> Result<String, String> {
    Slug::parse(value)
        .map(|s| s.to_string())
        .map_err(|e| format!("a tenant {e}"))
}

/// Runs `assay keys`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Args { command, store } = args;
    store.run(|store| async move {
        let code = match command {
            Command::Create {
                role,
                name,
                tenant,
                rate_limit,
            } => {
                let created = store.create_key(&tenant, &name, role, rate_limit).await?;
                eprintln!(
                    "Created {} key `{}` ({}) in tenant `{}`. The token below is shown once; keep it secret.",
                    created.key.role, created.key.name, created.key.id, created.key.tenant
                );
                outln!("{}", created.token)?;
                ExitCode::SUCCESS
            }
            Command::List { tenant, json } => {
                for key in store.list_keys(tenant.as_deref()).await? {
                    if json {
                        let line = serde_json::json!({
                            "id": key.id, "tenant": key.tenant, "name": key.name, "role": key.role,
                            "rate_limit_per_minute": key.rate_per_minute,
                            "created_at": rfc3339(key.created_ms),
                            "revoked_at": key.revoked_ms.map(rfc3339),
                        });
                        outln!("{line}")?;
                    } else {
                        let status = key
                            .revoked_ms
                            .map_or_else(|| "active".to_owned(), |ms| format!("revoked {}", rfc3339(ms)));
                        outln!(
                            "{}\t{}\t{}\t{}\t{}",
                            key.id,
                            key.tenant,
                            key.role,
                            key.name,
                            status
                        )?;
                    }
                }
                ExitCode::SUCCESS
            }
            Command::Revoke { id } => match store.revoke_key(None, &id).await {
                Ok(key) => {
                    eprintln!(
                        "Revoked key `{}` ({}) of tenant `{}`.",
                        key.name, key.id, key.tenant
                    );
                    ExitCode::SUCCESS
                }
                Err(assay::store::StoreError::NotFound(message)) => {
                    eprintln!("error: {message}");
                    ExitCode::from(1)
                }
                Err(err) => return Err(err.into()),
            },
        };
        Ok(code)
    })
}
