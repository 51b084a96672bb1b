//! Cases: records grouped under a name. Opening a case and adding or removing a record are custody
//! events; a record may be in several cases.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use sqlx::AssertSqlSafe;

use super::custody::CustodyEventKind;
use super::log_pass::LoggedEvent;
use super::problem::VaultProblem;
use super::store::{ROWS_PER_INSERT, get_text, get_u64, insert_events, placeholders, rows_placeholders};
use super::{Vault, VaultError, VaultLocation};
use crate::clock::now;

/// The longest case name, in characters.
pub const MAX_CASE_NAME: usize = 100;

/// A case as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseSummary {
    /// Its name.
    pub name: String,
    /// When it was opened.
    pub opened_at: String,
    /// How many records it holds now.
    pub records: u64,
}

/// What adding records to a case, or removing them, did.
#[derive(Debug, Clone, Serialize)]
pub struct CaseChange {
    /// The case.
    pub case: String,
    /// The records added (or removed), full ids.
    pub changed: Vec<String>,
    /// The records that were in the case already (or not in it), full ids.
    pub unchanged: Vec<String>,
}

/// The payload of a case event.
#[derive(Serialize, serde::Deserialize)]
struct CasePayload<'a> {
    /// Borrowed from the payload's text where it holds no escapes.
    #[serde(borrow)]
    case: Cow<'a, str>,
}

/// A case name as given, trimmed; refused when empty, too long or holding control characters.
pub fn case_name(given: &str) -> Result<String, VaultError> {
    let name = given.trim();
    let why = if name.is_empty() {
        "it is empty".to_owned()
    } else if name.chars().count() > MAX_CASE_NAME {
        format!("it is longer than {MAX_CASE_NAME} characters")
    } else if name.chars().any(char::is_control) {
        "it holds a control character (a tab or a line break)".to_owned()
    } else {
        return Ok(name.to_owned());
    };
    Err(VaultError::BadCaseName { name: given.to_owned(), why })
}

/// The rows of the case tables, as read for `vault verify`.
pub(super) struct CaseRows {
    /// Each case and the event that opened it.
    pub(super) cases: Vec<(String, u64)>,
    /// Each change: its event, case, record and whether it added.
    pub(super) changes: Vec<(i64, String, String, i64)>,
    /// Who is in each case.
    pub(super) members: Vec<(String, String)>,
}

impl Vault {
    /// Opens a new case named `name`.
    pub async fn open_case(&self, name: &str) -> Result<CaseSummary, VaultError> {
        let name = case_name(name)?;
        let mut tx = self.begin_append().await?;
        if sqlx::query("SELECT name FROM cases WHERE name = $1")
            .bind(name.clone())
            .fetch_optional(&mut *tx)
            .await?
            .is_some()
        {
            return Err(VaultError::CaseExists(name));
        }
        let at = now();
        let payload = serde_json::to_string(&CasePayload { case: Cow::Borrowed(&name) }).unwrap_or_default();
        let events = insert_events(&mut tx, vec![(CustodyEventKind::CaseOpened, at.clone(), None, payload)]).await?;
        let seq = events.last().map_or(0, |e| e.seq);
        sqlx::query("INSERT INTO cases (name, opened_seq, opened_at) VALUES ($1, $2, $3)")
            .bind(name.clone())
            .bind(seq as i64)
            .bind(at.clone())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.advance_head(&events)?;
        Ok(CaseSummary { name, opened_at: at, records: 0 })
    }

    /// Every case, by name, with how many records each holds.
    pub async fn cases(&self) -> Result<Vec<CaseSummary>, VaultError> {
        let rows = sqlx::query(
            "SELECT c.name, c.opened_at, l.n FROM cases c \
             JOIN list_counts l ON l.case_name = c.name AND l.facet = 'all' ORDER BY c.name",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CaseSummary {
                    name: get_text(r, "name")?,
                    opened_at: get_text(r, "opened_at")?,
                    records: get_u64(r, "n")?,
                })
            })
            .collect()
    }

    /// The cases record `record_id` is in, by name.
    pub async fn cases_of(&self, record_id: &str) -> Result<Vec<String>, VaultError> {
        let rows = sqlx::query("SELECT case_name FROM case_members WHERE record_id = $1 ORDER BY case_name")
            .bind(record_id.to_owned())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| get_text(r, "case_name")).collect()
    }

    /// The ids of the records in case `name`, oldest first.
    pub async fn case_records(&self, name: &str) -> Result<Vec<String>, VaultError> {
        let name = self.existing_case(name).await?;
        let rows =
            sqlx::query("SELECT record_id FROM case_members WHERE case_name = $1 ORDER BY created_at, record_id")
                .bind(name)
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(|r| get_text(r, "record_id")).collect()
    }

    /// Adds records (ids, or prefixes only one record has) to case `name`.
    pub async fn add_to_case(&self, name: &str, ids: &[String]) -> Result<CaseChange, VaultError> {
        self.change_case(name, ids, true).await
    }

    /// Removes records (ids, or prefixes only one record has) from case `name`.
    pub async fn remove_from_case(&self, name: &str, ids: &[String]) -> Result<CaseChange, VaultError> {
        self.change_case(name, ids, false).await
    }

    pub(super) async fn existing_case(&self, name: &str) -> Result<String, VaultError> {
        let name = case_name(name)?;
        match sqlx::query("SELECT name FROM cases WHERE name = $1")
            .bind(name.clone())
            .fetch_optional(&self.pool)
            .await?
        {
            Some(_) => Ok(name),
            None => Err(VaultError::CaseNotFound(name)),
        }
    }

    async fn change_case(&self, name: &str, ids: &[String], add: bool) -> Result<CaseChange, VaultError> {
        let name = self.existing_case(name).await?;
        let mut wanted: Vec<String> = Vec::with_capacity(ids.len());
        let mut seen = BTreeSet::new();
        for id in ids {
            let full = self.record_id_of(id).await?;
            if seen.insert(full.clone()) {
                wanted.push(full);
            }
        }
        let mut tx = self.begin_append().await?;
        let mut members = BTreeSet::new();
        for chunk in wanted.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "SELECT record_id FROM case_members WHERE case_name = $1 AND record_id IN ({})",
                placeholders(2, chunk.len())
            );
            let mut q = sqlx::query(AssertSqlSafe(sql)).bind(name.clone());
            for id in chunk {
                q = q.bind(id.clone());
            }
            for row in q.fetch_all(&mut *tx).await? {
                members.insert(get_text(&row, "record_id")?);
            }
        }
        let (changed, unchanged): (Vec<String>, Vec<String>) =
            wanted.into_iter().partition(|id| members.contains(id) != add);
        let kind = if add { CustodyEventKind::CaseAdded } else { CustodyEventKind::CaseRemoved };
        let payload = serde_json::to_string(&CasePayload { case: Cow::Borrowed(&name) }).unwrap_or_default();
        let at = now();
        let specs = changed.iter().map(|id| (kind, at.clone(), Some(id.clone()), payload.clone())).collect();
        let events = insert_events(&mut tx, specs).await?;
        for chunk in events.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO case_changes (seq, case_name, record_id, added) VALUES {}",
                rows_placeholders(chunk.len(), 4)
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for e in chunk {
                q = q.bind(e.seq as i64).bind(name.clone()).bind(e.record_id.clone()).bind(i64::from(add));
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        self.advance_head(&events)?;
        Ok(CaseChange { case: name, changed, unchanged })
    }

    /// The full id of the one record whose id is or starts with `id_or_prefix`.
    pub async fn record_id_of(&self, id_or_prefix: &str) -> Result<String, VaultError> {
        // Ids are lower-case hex digits and dashes: a prefix is a range of the id index.
        let prefix = id_or_prefix.trim().to_ascii_lowercase();
        if prefix.is_empty() || !prefix.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            return Err(VaultError::RecordNotFound(id_or_prefix.to_owned()));
        }
        let sql = format!("SELECT id FROM records WHERE {} ORDER BY id LIMIT 2", self.engine.id_prefix());
        let rows = sqlx::query(AssertSqlSafe(sql)).bind(prefix).fetch_all(&self.pool).await?;
        let ids: Vec<String> = rows.iter().map(|r| get_text(r, "id")).collect::<Result<_, _>>()?;
        match ids.as_slice() {
            [] => Err(VaultError::RecordNotFound(id_or_prefix.to_owned())),
            [one] => Ok(one.clone()),
            _ if ids.iter().any(|i| i.eq_ignore_ascii_case(id_or_prefix.trim())) => {
                Ok(id_or_prefix.trim().to_ascii_lowercase())
            }
            _ => Err(VaultError::AmbiguousId(id_or_prefix.to_owned())),
        }
    }

    /// The case tables as `vault verify` checks them, read while the custody log is (they do not
    /// depend on it).
    pub(super) async fn case_rows(&self) -> Result<CaseRows, VaultError> {
        if let VaultLocation::Postgres { url, shown, .. } = &self.location {
            return super::pg_scan::case_rows(url, std::path::Path::new(shown)).await;
        }
        let mut cases = Vec::new();
        for row in sqlx::query("SELECT name, opened_seq FROM cases").fetch_all(&self.pool).await? {
            cases.push((get_text(&row, "name")?, get_u64(&row, "opened_seq")?));
        }
        let changes = self
            .whole_table(
                "seq, case_name, record_id, added",
                "SELECT seq, case_name, record_id, added FROM case_changes",
            )
            .await?;
        let members = self.whole_table("case_name, record_id", "SELECT case_name, record_id FROM case_members").await?;
        Ok(CaseRows { cases, changes, members })
    }

    /// `vault verify`'s check of cases: each case and each change as its event recorded it, every
    /// row with its event, and who is in each case now as the log's changes say.
    pub(super) fn check_cases(events: &[LoggedEvent], rows: CaseRows) -> Result<Vec<VaultProblem>, VaultError> {
        let mut problems = Vec::new();
        let mut found =
            |code: &'static str, item: String, detail: String| problems.push(VaultProblem { code, item, detail });
        // What the log says, borrowed from its events.
        let mut opened: BTreeMap<Cow<'_, str>, u64> = BTreeMap::new();
        let mut changes: BTreeMap<u64, (Cow<'_, str>, &str, bool)> = BTreeMap::new();
        let mut members: BTreeSet<(Cow<'_, str>, &str)> = BTreeSet::new();
        let kinds = [CustodyEventKind::CaseOpened, CustodyEventKind::CaseAdded, CustodyEventKind::CaseRemoved];
        for e in events {
            let Some(kind) = kinds.iter().find(|k| k.as_str() == e.kind) else { continue };
            let Ok(CasePayload { case }) = serde_json::from_str(&e.payload) else {
                found("EVENT_UNREADABLE", format!("event #{}", e.seq), "its case cannot be read".into());
                continue;
            };
            match (kind, e.record_id.as_deref()) {
                (CustodyEventKind::CaseOpened, _) => {
                    opened.insert(case, e.seq);
                }
                (_, Some(record)) => {
                    let add = *kind == CustodyEventKind::CaseAdded;
                    if add {
                        members.insert((case.clone(), record));
                    } else {
                        members.remove(&(case.clone(), record));
                    }
                    changes.insert(e.seq, (case, record, add));
                }
                (_, None) => found("EVENT_UNREADABLE", format!("event #{}", e.seq), "it names no record".into()),
            }
        }
        for (name, seq) in &rows.cases {
            match opened.remove(name.as_str()) {
                Some(logged) if logged == *seq => {}
                Some(logged) => found(
                    "CASE_ALTERED",
                    format!("case {name}"),
                    format!("opened by event #{logged}, its row says #{seq}"),
                ),
                None => found(
                    "CASE_UNLOGGED",
                    format!("case {name}"),
                    "no custody event opened it: the row was inserted outside Evidentia".into(),
                ),
            }
        }
        for (name, seq) in opened {
            found("CASE_MISSING", format!("case {name}"), format!("opened by event #{seq} but its row is gone"));
        }
        for (seq, case_name, record_id, added) in &rows.changes {
            let seq = u64::try_from(*seq).map_err(|_| VaultError::BadRow(format!("case change #{seq}")))?;
            match changes.remove(&seq) {
                Some((case, record, add))
                    if case == case_name.as_str() && record == record_id && add == (*added == 1) => {}
                Some(_) => found(
                    "CASE_ALTERED",
                    format!("case change #{seq}"),
                    format!("differs from what event #{seq} recorded"),
                ),
                None => found(
                    "CASE_UNLOGGED",
                    format!("case change #{seq}"),
                    "no custody event recorded it: the row was inserted outside Evidentia".into(),
                ),
            }
        }
        for (seq, (case, record, _)) in changes {
            found(
                "CASE_MISSING",
                format!("case change #{seq}"),
                format!("event #{seq} changed case {case} for record {record} but its row is gone"),
            );
        }
        let indexed: BTreeSet<(Cow<'_, str>, &str)> =
            rows.members.iter().map(|(case, record)| (Cow::Borrowed(case.as_str()), record.as_str())).collect();
        for (case, record) in members.symmetric_difference(&indexed) {
            let says = if indexed.contains(&(case.clone(), *record)) { "lists" } else { "leaves out" };
            found(
                "CASE_MEMBERS_MISMATCH",
                format!("case {case}"),
                format!("its member list {says} record {record}, unlike the custody log's changes"),
            );
        }
        Ok(problems)
    }

    /// All rows of `inner` (a SELECT of `columns`) in one query, built as JSON by the database:
    /// a table of a hundred thousand small rows costs one round trip, not one decode per row.
    async fn whole_table<T: serde::de::DeserializeOwned>(
        &self,
        columns: &str,
        inner: &str,
    ) -> Result<Vec<T>, VaultError> {
        let sql = self.engine.json_rows(columns, inner);
        let text: Option<String> = sqlx::query_scalar(AssertSqlSafe(sql)).fetch_one(&self.pool).await?;
        serde_json::from_str(text.as_deref().unwrap_or("[]"))
            .map_err(|e| VaultError::BadRow(format!("a row of `{inner}` cannot be read ({e})")))
    }
}
