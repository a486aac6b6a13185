//! The stores tests run on: SQLite always, PostgreSQL when
//! `ASSAY_TEST_DATABASE_URL` names a server (`.ci/run` starts one and sets
//! `ASSAY_REQUIRE_POSTGRES=1`, which turns a missing server into a failure).

use assay::store::Store;
use sqlx::Connection;

use crate::app::sqlite_store;

/// The variable naming a PostgreSQL server tests may create databases on.
pub const DATABASE_URL_VAR: &str = "ASSAY_TEST_DATABASE_URL";

/// The URL of a new, empty PostgreSQL database; `None` (with a note on
/// stderr) when no server is configured and none is required.
pub async fn postgres_url() -> Option<String> {
    let admin = match std::env::var(DATABASE_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => url,
        _ => {
            assert!(
                std::env::var("ASSAY_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "ASSAY_REQUIRE_POSTGRES=1 but {DATABASE_URL_VAR} is not set"
            );
            eprintln!("PostgreSQL tests skipped: set {DATABASE_URL_VAR}=postgres://user:password@127.0.0.1/postgres");
            return None;
        }
    };
    let name = format!("assay_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|err| panic!("{DATABASE_URL_VAR} must reach a PostgreSQL server: {err}"));
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("the test role may create databases");
    let _ = conn.close().await;
    Some(with_database(&admin, &name))
}

/// `url` naming database `name` instead of its own.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    let mut out = format!("{}/{name}", &base[..path_start]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// A store on a new PostgreSQL database, when one is configured.
pub async fn postgres_store() -> Option<Store> {
    let url = postgres_url().await?;
    Some(Store::connect(&url).await.expect("the PostgreSQL store opens"))
}

/// A store of each backend available, named, with what keeps it alive.
pub async fn every_store() -> Vec<(&'static str, Store, Option<tempfile::TempDir>)> {
    let (sqlite, dir) = sqlite_store().await;
    let mut stores = vec![("sqlite", sqlite, Some(dir))];
    if let Some(postgres) = postgres_store().await {
        stores.push(("postgres", postgres, None));
    }
    stores
}

#[test]
fn database_names_replace_the_path_only() {
    assert_eq!(
        with_database("postgres://a:b@h:5432/postgres?sslmode=disable", "x"),
        "postgres://a:b@h:5432/x?sslmode=disable"
    );
    assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
}
