//! The history file: an SQLite database (bundled with the binary) holding every recorded
//! run. WAL journal, one transaction per write, a busy timeout so that two processes that
//! record at once both land, and a versioned schema upgraded step by step.
//!
//! A file that is not ours is refused, never read as an empty history: anything but an
//! SQLite file, an SQLite file of another application (its `application_id`), one written
//! by a newer perfbudget, and one shorter than its header says (a truncated copy).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use super::record::{RecordedLimits, RecordedValue, RunRecord};
use crate::model::Subject;
use crate::model::history::{History, HistoryPoint};
use crate::model::report::{Environment, LimitValue};
use crate::quantity::Unit;

/// `PRAGMA application_id` of a perfbudget history: "pbhs".
const APPLICATION_ID: i32 = 0x7062_6873;

/// The schema, one step per version: a file at version N gets steps N+1.. applied in one
/// transaction. Never edit a step that has shipped; add one.
const MIGRATIONS: &[&str] = &[
    // 1: runs, the series they measured, and each value.
    "CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        commit_sha TEXT,
        branch TEXT NOT NULL,
        time TEXT NOT NULL,
        unix_ms INTEGER NOT NULL,
        os TEXT NOT NULL,
        arch TEXT NOT NULL,
        cpu_model TEXT,
        runner TEXT,
        budget TEXT,
        version TEXT NOT NULL
    );
    CREATE INDEX runs_by_branch ON runs (branch, unix_ms);
    CREATE TABLE series (
        id INTEGER PRIMARY KEY,
        metric TEXT NOT NULL,
        stat TEXT NOT NULL,
        subject TEXT NOT NULL,
        unit TEXT NOT NULL,
        UNIQUE (metric, stat, subject, unit)
    );
    CREATE TABLE measurements (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        series_id INTEGER NOT NULL REFERENCES series (id),
        value REAL NOT NULL,
        lower REAL,
        upper REAL,
        samples INTEGER,
        PRIMARY KEY (run_id, series_id)
    ) WITHOUT ROWID;",
    // 2: the merge-base lookup of `check --history` finds a run by its commit.
    "CREATE INDEX runs_by_commit ON runs (commit_sha);",
    // 3: each run's budget limits, for loosening; runs recorded before have none (0).
    "ALTER TABLE runs ADD COLUMN limits_recorded INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE limits (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        label TEXT NOT NULL,
        metric TEXT NOT NULL,
        source_metric TEXT NOT NULL,
        unit TEXT NOT NULL,
        max REAL,
        min REAL,
        warn REAL,
        regression REAL,
        PRIMARY KEY (run_id, position)
    ) WITHOUT ROWID;",
];

/// The oldest schema a file perfbudget cannot write (a read-only cache) is read at, as it
/// is: from 2 on the steps only add (limits: a run of schema 2 has none).
const OLDEST_READ_AS_IS: usize = 2;

/// The schema that added the runs' limits.
const LIMITS_SCHEMA: usize = 3;

/// The schema version this perfbudget writes.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

/// How long a write waits for another process's write to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The newest runs of a branch `load` reads: the noise rule uses at most 30 of one
/// environment, and runs of other environments may come between them.
pub const RUNS_READ: usize = 100;

/// An open history file.
#[derive(Debug)]
pub struct Store {
    connection: Connection,
    path: PathBuf,
    /// The file's schema version: [`SCHEMA_VERSION`] but in a read-only file.
    version: usize,
}

/// A run as listed by `history show`.
#[derive(Debug, Clone, PartialEq)]
pub struct RunInfo {
    pub id: i64,
    pub commit: Option<String>,
    pub branch: String,
    pub time: String,
    pub environment: Environment,
}

/// One series' values over runs, oldest first, for `history show`.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesValues {
    pub metric: String,
    pub stat: Option<String>,
    pub subject: Subject,
    pub unit: Unit,
    /// (index into the runs listed, value).
    pub values: Vec<(usize, f64)>,
}

impl Store {
    /// Opens a history file for writing, creating it (and upgrading an older schema).
    pub fn open_for_writing(path: &Path) -> anyhow::Result<Store> {
        refuse_foreign(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(path, flags).map_err(|error| sqlite_error(path, &error))?;
        let mut store = Store { connection, path: path.to_owned(), version: SCHEMA_VERSION };
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    /// Opens an existing history file to read. `None` when the file does not exist or is
    /// empty: there is no history yet.
    pub fn open_for_reading(path: &Path) -> anyhow::Result<Option<Store>> {
        let metadata = match std::fs::metadata(path) {
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(error).with_context(|| format!("cannot read the history {}", path.display())),
            Ok(metadata) => metadata,
        };
        // Before anything opens it: a FIFO would block the open until a writer came.
        crate::files::regular_file(path, &metadata, "a history is a file that `perfbudget history record` writes")?;
        if metadata.len() == 0 {
            return Ok(None);
        }
        // Read-write when allowed, so that a file of an older schema is upgraded in place; a
        // read-only file (a restored cache) is read as it is.
        let store = Store::open_for_writing(path).or_else(|error| {
            if !metadata.permissions().readonly() {
                return Err(error);
            }
            let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            let connection = Connection::open_with_flags(path, flags).map_err(|error| sqlite_error(path, &error))?;
            let mut store = Store { connection, path: path.to_owned(), version: 0 };
            store.version = schema_of(&store.connection, path, true)?;
            Ok(store)
        })?;
        Ok(Some(store))
    }

    fn configure(&mut self) -> anyhow::Result<()> {
        self.connection.busy_timeout(BUSY_TIMEOUT).map_err(|error| self.error(&error))?;
        let mode: String = self
            .connection
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(|error| self.error(&error))?;
        if !mode.eq_ignore_ascii_case("wal") {
            bail!("{}: cannot switch the history to WAL (journal mode {mode})", self.path.display());
        }
        self.connection.pragma_update(None, "foreign_keys", true).map_err(|error| self.error(&error))?;
        Ok(())
    }

    /// Applies the schema steps the file lacks, in one transaction. The schema is read under
    /// the write lock: a process creating the file or upgrading it is waited for, never seen
    /// half done.
    fn migrate(&mut self) -> anyhow::Result<()> {
        let path = self.path.clone();
        let fail = |error: rusqlite::Error| sqlite_error(&path, &error);
        let transaction =
            self.connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(fail)?;
        let version = schema_of(&transaction, &path, false)?;
        if version < SCHEMA_VERSION {
            for step in &MIGRATIONS[version..] {
                transaction.execute_batch(step).map_err(fail)?;
            }
            transaction.pragma_update(None, "application_id", APPLICATION_ID).map_err(fail)?;
            transaction.pragma_update(None, "user_version", SCHEMA_VERSION as i64).map_err(fail)?;
        }
        transaction.commit().map_err(fail)
    }

    /// Upgrades the file only to schema `version` (tests of the upgrade path).
    #[cfg(test)]
    pub(crate) fn create_at_version(path: &Path, version: usize) -> anyhow::Result<()> {
        let connection = Connection::open(path)?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        for step in &MIGRATIONS[..version] {
            connection.execute_batch(step)?;
        }
        connection.pragma_update(None, "application_id", APPLICATION_ID)?;
        connection.pragma_update(None, "user_version", version as i64)?;
        Ok(())
    }

    fn error(&self, error: &rusqlite::Error) -> anyhow::Error {
        sqlite_error(&self.path, error)
    }

    /// Records a run in one transaction; returns its id.
    pub fn record(&mut self, run: &RunRecord) -> anyhow::Result<i64> {
        let path = self.path.clone();
        let fail = |error: rusqlite::Error| sqlite_error(&path, &error);
        let transaction =
            self.connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(fail)?;
        let mut known = series_ids(&transaction).map_err(fail)?;
        let id = insert_run(&transaction, run, &mut known).map_err(fail)?;
        transaction.commit().map_err(fail)?;
        Ok(id)
    }

    /// Records runs from an export in one transaction, skipping every run the history
    /// already holds (same branch, commit, time and budget); returns (added, skipped). The
    /// first run that is an error rolls the whole import back.
    pub fn import(
        &mut self,
        runs: &mut dyn Iterator<Item = anyhow::Result<RunRecord>>,
    ) -> anyhow::Result<(usize, usize)> {
        let path = self.path.clone();
        let fail = |error: rusqlite::Error| sqlite_error(&path, &error);
        let transaction =
            self.connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(fail)?;
        let (mut added, mut skipped) = (0, 0);
        let mut known = series_ids(&transaction).map_err(fail)?;
        for run in runs {
            let run = &run?;
            let exists: Option<i64> = transaction
                .query_row(
                    "SELECT id FROM runs WHERE branch = ?1 AND commit_sha IS ?2 AND time = ?3 AND budget IS ?4",
                    params![run.branch, run.commit, run.time, run.budget],
                    |row| row.get(0),
                )
                .optional()
                .map_err(fail)?;
            if exists.is_some() {
                skipped += 1;
            } else {
                insert_run(&transaction, run, &mut known).map_err(fail)?;
                added += 1;
            }
        }
        transaction.commit().map_err(fail)?;
        Ok((added, skipped))
    }

    /// Deletes all but the newest `keep` runs of each branch (or of `branch` only), and the
    /// series no run measures any more; returns how many runs were deleted.
    pub fn prune(&mut self, keep: usize, branch: Option<&str>) -> anyhow::Result<usize> {
        let path = self.path.clone();
        let fail = |error: rusqlite::Error| sqlite_error(&path, &error);
        let transaction =
            self.connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(fail)?;
        let deleted = transaction
            .execute(
                "DELETE FROM runs WHERE id IN (
                    SELECT id FROM (
                        SELECT id, branch, ROW_NUMBER() OVER (PARTITION BY branch ORDER BY unix_ms DESC, id DESC) AS rank
                        FROM runs)
                    WHERE rank > ?1 AND (?2 IS NULL OR branch = ?2))",
                params![keep as i64, branch],
            )
            .map_err(fail)?;
        transaction
            .execute("DELETE FROM series WHERE id NOT IN (SELECT DISTINCT series_id FROM measurements)", [])
            .map_err(fail)?;
        transaction.commit().map_err(fail)?;
        if deleted > 0 {
            self.connection.execute_batch("VACUUM").map_err(|error| self.error(&error))?;
        }
        Ok(deleted)
    }

    /// Every branch with how many runs it has, most runs first.
    pub fn branches(&self) -> anyhow::Result<Vec<(String, usize)>> {
        let mut statement = self
            .connection
            .prepare("SELECT branch, COUNT(*) FROM runs GROUP BY branch ORDER BY COUNT(*) DESC, branch")
            .map_err(|error| self.error(&error))?;
        let rows = statement
            .query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)? as usize)))
            .and_then(Iterator::collect)
            .map_err(|error| self.error(&error))?;
        Ok(rows)
    }

    /// The newest `last` runs of `branch`, oldest first.
    pub fn runs(&self, branch: &str, last: usize) -> anyhow::Result<Vec<RunInfo>> {
        let mut statement = self
            .connection
            .prepare(
                "SELECT id, commit_sha, branch, time, os, arch, cpu_model, runner FROM runs WHERE branch = ?1
                 ORDER BY unix_ms DESC, id DESC LIMIT ?2",
            )
            .map_err(|error| self.error(&error))?;
        let mut runs: Vec<RunInfo> = statement
            .query_map(params![branch, last as i64], run_info_row)
            .and_then(Iterator::collect)
            .map_err(|error| self.error(&error))?;
        runs.reverse();
        Ok(runs)
    }

    /// Each series measured by `runs` with its value in each (oldest first).
    pub fn series_of(&self, runs: &[RunInfo]) -> anyhow::Result<Vec<SeriesValues>> {
        let index: HashMap<i64, usize> = runs.iter().enumerate().map(|(at, run)| (run.id, at)).collect();
        let mut series = SeriesCache::new(self);
        let mut by_series: HashMap<i64, SeriesValues> = HashMap::new();
        let mut statement = self
            .connection
            .prepare("SELECT run_id, series_id, value FROM measurements WHERE run_id = ?1")
            .map_err(|error| self.error(&error))?;
        for run in runs {
            let rows = statement
                .query_map([run.id], |row| Ok((row.get::<_, i64>(1)?, row.get::<_, f64>(2)?)))
                .and_then(Iterator::collect::<Result<Vec<_>, _>>)
                .map_err(|error| self.error(&error))?;
            for (series_id, value) in rows {
                let known = series.get(series_id)?;
                let entry = by_series.entry(series_id).or_insert_with(|| SeriesValues {
                    metric: known.metric.clone(),
                    stat: known.stat.clone(),
                    subject: known.subject.clone(),
                    unit: known.unit,
                    values: Vec::new(),
                });
                entry.values.push((index[&run.id], value));
            }
        }
        let mut all: Vec<SeriesValues> = by_series.into_values().collect();
        all.sort_by(|a, b| (&a.metric, &a.stat, &a.subject).cmp(&(&b.metric, &b.stat, &b.subject)));
        Ok(all)
    }

    /// Every run, oldest first, with its measurements: what `history export` writes.
    pub fn export(&self, each: &mut dyn FnMut(RunRecord) -> anyhow::Result<()>) -> anyhow::Result<usize> {
        let mut series = SeriesCache::new(self);
        let recorded = if self.version >= LIMITS_SCHEMA { "limits_recorded" } else { "0" };
        let mut runs = self
            .connection
            .prepare(&format!(
                "SELECT id, commit_sha, branch, time, os, arch, cpu_model, runner, budget, version, {recorded}
                     FROM runs ORDER BY unix_ms, id"
            ))
            .map_err(|error| self.error(&error))?;
        let mut values = self
            .connection
            .prepare("SELECT series_id, value, lower, upper, samples FROM measurements WHERE run_id = ?1")
            .map_err(|error| self.error(&error))?;
        let mut rows = runs.query([]).map_err(|error| self.error(&error))?;
        let mut count = 0;
        while let Some(row) = rows.next().map_err(|error| self.error(&error))? {
            let run = (|| -> rusqlite::Result<(i64, bool, RunRecord)> {
                Ok((
                    row.get(0)?,
                    row.get::<_, i64>(10)? != 0,
                    RunRecord {
                        commit: row.get(1)?,
                        branch: row.get(2)?,
                        time: row.get(3)?,
                        environment: Environment {
                            os: row.get(4)?,
                            arch: row.get(5)?,
                            cpu_model: row.get(6)?,
                            runner: row.get(7)?,
                        },
                        budget: row.get(8)?,
                        version: row.get(9)?,
                        measurements: Vec::new(),
                        limits: None,
                    },
                ))
            })();
            let (id, limits_recorded, mut run) = run.map_err(|error| self.error(&error))?;
            if limits_recorded {
                run.limits = Some(self.limits_of_run(id)?);
            }
            let measured = values
                .query_map([id], |row| {
                    Ok((row.get::<_, i64>(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get::<_, Option<i64>>(4)?))
                })
                .and_then(Iterator::collect::<Result<Vec<_>, _>>)
                .map_err(|error| self.error(&error))?;
            for (series_id, value, lower, upper, samples) in measured {
                let known = series.get(series_id)?;
                run.measurements.push(RecordedValue {
                    metric: known.metric.clone(),
                    stat: known.stat.clone(),
                    subject: known.subject.clone(),
                    unit: known.unit,
                    value,
                    lower,
                    upper,
                    samples: samples.and_then(|samples| u64::try_from(samples).ok()),
                });
            }
            each(run)?;
            count += 1;
        }
        Ok(count)
    }

    /// The branch's history for `evaluate`: its newest [`RUNS_READ`] runs, and the run at
    /// `merge_base` if that is older, each point marked with whether its environment is
    /// `environment`.
    pub fn load(&self, branch: &str, environment: &Environment, merge_base: Option<&str>) -> anyhow::Result<History> {
        let mut runs = self.runs(branch, RUNS_READ)?;
        runs.reverse();
        if let Some(commit) = merge_base
            && !runs.iter().any(|run| run.commit.as_deref() == Some(commit))
        {
            let older: Option<i64> = self
                .connection
                .query_row(
                    "SELECT id FROM runs WHERE branch = ?1 AND commit_sha = ?2 ORDER BY unix_ms DESC, id DESC LIMIT 1",
                    params![branch, commit],
                    |row| row.get(0),
                )
                .optional()
                .map_err(|error| self.error(&error))?;
            if let Some(id) = older {
                let run = self.run_info(id)?;
                runs.push(run);
            }
        }
        let mut series = SeriesCache::new(self);
        let mut history = History::new(branch.to_owned(), runs.len(), merge_base.map(str::to_owned));
        let mut statement = self
            .connection
            .prepare_cached("SELECT series_id, value, lower, upper FROM measurements WHERE run_id = ?1")
            .map_err(|error| self.error(&error))?;
        for run in &runs {
            let same_environment = run.environment == *environment;
            let rows = statement
                .query_map([run.id], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, f64>(1)?, row.get(2)?, row.get(3)?)))
                .and_then(Iterator::collect::<Result<Vec<(i64, f64, Option<f64>, Option<f64>)>, _>>)
                .map_err(|error| self.error(&error))?;
            for (series_id, value, lower, upper) in rows {
                let known = series.get(series_id)?;
                let base = |value: f64| known.unit.to_base(value);
                let point = HistoryPoint {
                    value: base(value),
                    interval: lower.zip(upper).map(|(lower, upper)| (base(lower), base(upper))),
                    commit: run.commit.clone(),
                    same_environment,
                };
                history.push(&known.metric, known.stat.as_deref(), &known.subject, point);
            }
        }
        Ok(history)
    }

    /// The run of `branch` whose limits loosening compares with, as the exact comparison of
    /// `check --history` picks its run: the newest at `merge_base` where the branch has one,
    /// else the branch's newest; with its limits, `None` when it was recorded without them.
    pub fn comparison_limits(
        &self,
        branch: &str,
        merge_base: Option<&str>,
    ) -> anyhow::Result<Option<(RunInfo, Option<Vec<RecordedLimits>>)>> {
        let at_merge_base = match merge_base {
            Some(commit) => self
                .connection
                .query_row(
                    "SELECT id FROM runs WHERE branch = ?1 AND commit_sha = ?2 ORDER BY unix_ms DESC, id DESC LIMIT 1",
                    params![branch, commit],
                    |row| row.get::<_, i64>(0),
                )
                .optional()
                .map_err(|error| self.error(&error))?,
            None => None,
        };
        let run = match at_merge_base {
            Some(id) => Some(self.run_info(id)?),
            None => self.runs(branch, 1)?.pop(),
        };
        let Some(run) = run else { return Ok(None) };
        if self.version < LIMITS_SCHEMA {
            return Ok(Some((run, None)));
        }
        let recorded: i64 = self
            .connection
            .query_row("SELECT limits_recorded FROM runs WHERE id = ?1", [run.id], |row| row.get(0))
            .map_err(|error| self.error(&error))?;
        let limits = if recorded != 0 { Some(self.limits_of_run(run.id)?) } else { None };
        Ok(Some((run, limits)))
    }

    /// The limits recorded with run `id`, in the order the report listed them.
    fn limits_of_run(&self, id: i64) -> anyhow::Result<Vec<RecordedLimits>> {
        let path = self.path.display();
        let mut statement = self
            .connection
            .prepare_cached(
                "SELECT label, metric, source_metric, unit, max, min, warn, regression FROM limits WHERE run_id = ?1
                 ORDER BY position",
            )
            .map_err(|error| self.error(&error))?;
        type Row = (String, String, String, String, Option<f64>, Option<f64>, Option<f64>, Option<f64>);
        let rows: Vec<Row> = statement
            .query_map([id], |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                    row.get(6)?,
                    row.get(7)?,
                ))
            })
            .and_then(Iterator::collect)
            .map_err(|error| self.error(&error))?;
        rows.into_iter()
            .map(|(label, metric, source_metric, unit, max, min, warn, regression)| {
                let unit: Unit =
                    serde_json::from_value(serde_json::Value::String(unit.clone())).with_context(|| {
                        format!("{path}: a damaged history (the limits of run {id} have an unknown unit {unit:?})")
                    })?;
                let limit = match (max, min) {
                    (Some(max), None) => Some(LimitValue::Max(max)),
                    (None, Some(min)) => Some(LimitValue::Min(min)),
                    (None, None) => None,
                    (Some(_), Some(_)) => {
                        bail!("{path}: a damaged history (a limit of run {id} is both a max and a min)")
                    }
                };
                Ok(RecordedLimits { label, metric, source_metric, unit, limit, warn, regression })
            })
            .collect()
    }

    fn run_info(&self, id: i64) -> anyhow::Result<RunInfo> {
        self.connection
            .query_row(
                "SELECT id, commit_sha, branch, time, os, arch, cpu_model, runner FROM runs WHERE id = ?1",
                [id],
                run_info_row,
            )
            .map_err(|error| self.error(&error))
    }
}

/// The series rows a read needs, each read and parsed once: only the series of the runs
/// read are held, however many the file has.
struct SeriesCache<'a> {
    store: &'a Store,
    rows: HashMap<i64, SeriesRow>,
}

impl<'a> SeriesCache<'a> {
    fn new(store: &'a Store) -> SeriesCache<'a> {
        SeriesCache { store, rows: HashMap::new() }
    }

    fn get(&mut self, id: i64) -> anyhow::Result<&SeriesRow> {
        if !self.rows.contains_key(&id) {
            let row = self.read(id)?;
            self.rows.insert(id, row);
        }
        self.rows.get(&id).context("a series row just read (a bug in perfbudget)")
    }

    fn read(&self, id: i64) -> anyhow::Result<SeriesRow> {
        let store = self.store;
        let path = store.path.display();
        let (metric, stat, subject, unit): (String, String, String, String) = store
            .connection
            .prepare_cached("SELECT metric, stat, subject, unit FROM series WHERE id = ?1")
            .and_then(|mut statement| {
                statement.query_row([id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))
            })
            .map_err(|error| match error {
                rusqlite::Error::QueryReturnedNoRows => {
                    anyhow::anyhow!("{path}: a damaged history (a value of series {id}, which is not there)")
                }
                error => store.error(&error),
            })?;
        let subject: Subject = serde_json::from_str(&subject)
            .with_context(|| format!("{path}: a damaged history (series {id} has a malformed subject)"))?;
        let unit: Unit = serde_json::from_value(serde_json::Value::String(unit.clone()))
            .with_context(|| format!("{path}: a damaged history (series {id} has an unknown unit {unit:?})"))?;
        let stat = (!stat.is_empty()).then_some(stat);
        Ok(SeriesRow { metric, stat, subject, unit })
    }
}

/// A run from a row of `SELECT id, commit_sha, branch, time, os, arch, cpu_model, runner`.
fn run_info_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<RunInfo> {
    Ok(RunInfo {
        id: row.get(0)?,
        commit: row.get(1)?,
        branch: row.get(2)?,
        time: row.get(3)?,
        environment: Environment { os: row.get(4)?, arch: row.get(5)?, cpu_model: row.get(6)?, runner: row.get(7)? },
    })
}

/// A row of the series table, parsed.
#[derive(Debug)]
struct SeriesRow {
    metric: String,
    stat: Option<String>,
    subject: Subject,
    unit: Unit,
}

/// The id of each series already in the file, by (metric, stat, subject JSON, unit): one
/// read of the series table instead of one upsert per value.
type SeriesIds = HashMap<(String, String, String, String), i64>;

fn series_ids(transaction: &rusqlite::Transaction<'_>) -> rusqlite::Result<SeriesIds> {
    let mut statement = transaction.prepare("SELECT id, metric, stat, subject, unit FROM series")?;
    let rows =
        statement.query_map([], |row| Ok(((row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?), row.get(0)?)))?;
    rows.collect()
}

/// Inserts a run and its values inside the caller's transaction.
fn insert_run(
    transaction: &rusqlite::Transaction<'_>,
    run: &RunRecord,
    known: &mut SeriesIds,
) -> rusqlite::Result<i64> {
    // Times were checked on the way in (`history::parse_time`); ordering needs them as numbers.
    let unix_ms = run.time.parse::<jiff::Timestamp>().map_or(0, jiff::Timestamp::as_millisecond);
    transaction.execute(
        "INSERT INTO runs (commit_sha, branch, time, unix_ms, os, arch, cpu_model, runner, budget, version,
         limits_recorded) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            run.commit,
            run.branch,
            run.time,
            unix_ms,
            run.environment.os,
            run.environment.arch,
            run.environment.cpu_model,
            run.environment.runner,
            run.budget,
            run.version,
            run.limits.is_some()
        ],
    )?;
    let run_id = transaction.last_insert_rowid();
    let mut limits = transaction.prepare_cached(
        "INSERT INTO limits (run_id, position, label, metric, source_metric, unit, max, min, warn, regression)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for (position, recorded) in run.limits.iter().flatten().enumerate() {
        let (max, min) = match recorded.limit {
            Some(LimitValue::Max(max)) => (Some(max), None),
            Some(LimitValue::Min(min)) => (None, Some(min)),
            None => (None, None),
        };
        limits.execute(params![
            run_id,
            position as i64,
            recorded.label,
            recorded.metric,
            recorded.source_metric,
            recorded.unit.as_str(),
            max,
            min,
            recorded.warn,
            recorded.regression
        ])?;
    }
    let mut series =
        transaction.prepare_cached("INSERT INTO series (metric, stat, subject, unit) VALUES (?1, ?2, ?3, ?4)")?;
    let mut value = transaction.prepare_cached(
        "INSERT OR REPLACE INTO measurements (run_id, series_id, value, lower, upper, samples)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for measurement in &run.measurements {
        let subject = serde_json::to_string(&measurement.subject).unwrap_or_default();
        let stat = measurement.stat.as_deref().unwrap_or("").to_owned();
        let key = (measurement.metric.clone(), stat, subject, measurement.unit.as_str().to_owned());
        let series_id = match known.get(&key) {
            Some(id) => *id,
            None => {
                series.execute(params![key.0, key.1, key.2, key.3])?;
                let id = transaction.last_insert_rowid();
                known.insert(key, id);
                id
            }
        };
        let samples = measurement.samples.and_then(|samples| i64::try_from(samples).ok());
        value.execute(params![run_id, series_id, measurement.value, measurement.lower, measurement.upper, samples])?;
    }
    Ok(run_id)
}

/// Refuses, before SQLite opens it, a file that is not an SQLite database at all or is
/// shorter than its header says, and anything but a regular file.
fn refuse_foreign(path: &Path) -> anyhow::Result<()> {
    use std::io::Read;
    let metadata = match std::fs::metadata(path) {
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(error).with_context(|| format!("cannot read the history {}", path.display())),
        Ok(metadata) => metadata,
    };
    crate::files::regular_file(path, &metadata, "a history is a file that `perfbudget history record` writes")?;
    if metadata.len() == 0 {
        return Ok(());
    }
    let mut header = [0u8; 100];
    let mut file = std::fs::File::open(path).with_context(|| format!("cannot read the history {}", path.display()))?;
    let read = file.read(&mut header).with_context(|| format!("cannot read the history {}", path.display()))?;
    if read < 16 || &header[..16] != b"SQLite format 3\0" {
        bail!(
            "{}: not a perfbudget history (not an SQLite database); give --history a file that `perfbudget history \
             record` writes",
            path.display()
        );
    }
    if read < 100 {
        bail!("{}: a truncated history ({} bytes, shorter than an SQLite header)", path.display(), metadata.len());
    }
    // The page size (1 means 65,536) and the page count the header records.
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536,
        size => u64::from(size),
    };
    let pages = u64::from(u32::from_be_bytes([header[28], header[29], header[30], header[31]]));
    if metadata.len() < page_size * pages {
        bail!(
            "{}: a truncated history: {} bytes, but its header records {pages} pages of {page_size} bytes",
            path.display(),
            metadata.len()
        );
    }
    Ok(())
}

/// The file's schema version, after refusing another application's database and a
/// newer perfbudget's. `read_only`: an older schema cannot be upgraded and is refused.
fn schema_of(connection: &Connection, path: &Path, read_only: bool) -> anyhow::Result<usize> {
    // One statement, so one snapshot: a process creating the file commits all three at once.
    let (application_id, version, tables): (i64, i64, i64) = connection
        .query_row(
            "SELECT application_id, user_version, schema_version FROM pragma_application_id, \
             pragma_user_version, pragma_schema_version",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .map_err(|error| sqlite_error(path, &error))?;
    if application_id != i64::from(APPLICATION_ID) && !(application_id == 0 && version == 0 && tables == 0) {
        bail!(
            "{}: an SQLite database, but not a perfbudget history (application_id {application_id:#x}); give \
             --history a file that `perfbudget history record` writes",
            path.display()
        );
    }
    let version = usize::try_from(version).unwrap_or(usize::MAX);
    if version > SCHEMA_VERSION {
        bail!(
            "{}: a history of schema version {version}, written by a newer perfbudget; this one reads up to \
             version {SCHEMA_VERSION}",
            path.display()
        );
    }
    if read_only && version < OLDEST_READ_AS_IS {
        bail!(
            "{}: a history of schema version {version} in a file perfbudget cannot write; copy it somewhere \
             writable so it can be upgraded to version {SCHEMA_VERSION}",
            path.display()
        );
    }
    Ok(version)
}

/// An SQLite error, naming the file; a damaged file says so.
fn sqlite_error(path: &Path, error: &rusqlite::Error) -> anyhow::Error {
    let damaged = matches!(
        error.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    );
    if damaged {
        anyhow::anyhow!("{}: a damaged history ({error}); restore it from a copy or start a new one", path.display())
    } else {
        anyhow::anyhow!("{}: {error}", path.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::record::RecordedValue;

    fn environment() -> Environment {
        Environment { os: "linux".into(), arch: "x86_64".into(), cpu_model: Some("cpu".into()), runner: None }
    }

    fn run(commit: &str, day: u32, ms: f64) -> RunRecord {
        let mut subject = Subject::new();
        subject.insert("id".into(), "parse/json".into());
        RunRecord {
            commit: Some(commit.into()),
            branch: "main".into(),
            time: format!("2026-11-{day:02}T10:00:00Z"),
            environment: environment(),
            budget: Some("bench".into()),
            version: "0.1.0".into(),
            measurements: vec![RecordedValue {
                metric: "bench_time".into(),
                stat: Some("typical".into()),
                subject,
                unit: Unit::Ms,
                value: ms,
                lower: Some(ms * 0.99),
                upper: Some(ms * 1.01),
                samples: Some(100),
            }],
            limits: Some(vec![RecordedLimits {
                label: "parse".into(),
                metric: "bench_time".into(),
                source_metric: "bench_time".into(),
                unit: Unit::Ms,
                limit: Some(LimitValue::Max(ms * 1.5)),
                warn: Some(ms * 1.2),
                regression: Some(0.05),
            }]),
        }
    }

    fn message(result: anyhow::Result<Store>) -> String {
        format!("{:#}", result.unwrap_err())
    }

    #[test]
    fn a_recorded_run_comes_back_newest_first_in_base_units_and_through_an_export() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.db");
        let mut store = Store::open_for_writing(&path).unwrap();
        for (day, ms) in [(1, 10.0), (3, 12.0), (2, 11.0)] {
            store.record(&run(&format!("c{day}"), day, ms)).unwrap();
        }
        let mut subject = Subject::new();
        subject.insert("id".into(), "parse/json".into());
        let history = store.load("main", &environment(), None).unwrap();
        let points = history.series("bench_time", Some("typical"), &subject);
        let values: Vec<(f64, Option<&str>)> = points.iter().map(|p| (p.value, p.commit.as_deref())).collect();
        assert_eq!(values, [(12e6, Some("c3")), (11e6, Some("c2")), (10e6, Some("c1"))]);
        assert_eq!(points[0].interval, Some((12.0 * 0.99 * 1e6, 12.0 * 1.01 * 1e6)));
        assert!(points.iter().all(|point| point.same_environment));
        let elsewhere = Environment { cpu_model: Some("other".into()), ..environment() };
        assert!(
            !store.load("main", &elsewhere, None).unwrap().series("bench_time", Some("typical"), &subject)[0]
                .same_environment
        );
        let mut exported = Vec::new();
        store
            .export(&mut |run| {
                exported.push(run);
                Ok(())
            })
            .unwrap();
        assert_eq!(exported, [run("c1", 1, 10.0), run("c2", 2, 11.0), run("c3", 3, 12.0)]);
        let copy = dir.path().join("copy.db");
        let mut other = Store::open_for_writing(&copy).unwrap();
        assert_eq!(other.import(&mut exported.iter().cloned().map(Ok)).unwrap(), (3, 0));
        assert_eq!(
            other.import(&mut exported.iter().cloned().map(Ok)).unwrap(),
            (0, 3),
            "an import twice adds nothing"
        );
        let mut broken = exported.iter().cloned().map(Ok).chain(std::iter::once(Err(anyhow::anyhow!("line 4"))));
        assert_eq!(
            format!(
                "{:#}",
                Store::open_for_writing(&dir.path().join("third.db")).unwrap().import(&mut broken).unwrap_err()
            ),
            "line 4"
        );
        assert!(
            Store::open_for_writing(&dir.path().join("third.db")).unwrap().runs("main", 10).unwrap().is_empty(),
            "rolled back"
        );
        assert_eq!(other.prune(2, None).unwrap(), 1);
        let kept: Vec<Option<String>> = other.runs("main", 10).unwrap().into_iter().map(|run| run.commit).collect();
        assert_eq!(kept, [Some("c2".to_owned()), Some("c3".to_owned())]);
    }

    #[test]
    fn a_file_of_the_first_schema_is_upgraded_and_keeps_its_runs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.db");
        Store::create_at_version(&path, 1).unwrap();
        let connection = Connection::open(&path).unwrap();
        connection
            .execute_batch(
                "INSERT INTO runs VALUES (1, 'abc', 'main', '2026-11-01T10:00:00Z', 1, 'linux', 'x86_64', NULL, NULL, NULL, '0.1.0');
                 INSERT INTO series VALUES (1, 'lcp', '', '{}', 'ms');
                 INSERT INTO measurements VALUES (1, 1, 2500.0, NULL, NULL, NULL);",
            )
            .unwrap();
        drop(connection);
        let store = Store::open_for_writing(&path).unwrap();
        let version: i64 = store.connection.query_row("PRAGMA user_version", [], |row| row.get(0)).unwrap();
        assert_eq!(version, SCHEMA_VERSION as i64);
        let indexes: i64 = store
            .connection
            .query_row("SELECT COUNT(*) FROM sqlite_master WHERE name = 'runs_by_commit'", [], |row| row.get(0))
            .unwrap();
        assert_eq!(indexes, 1);
        let environment = Environment { os: "linux".into(), arch: "x86_64".into(), ..Environment::default() };
        let history = store.load("main", &environment, Some("abc")).unwrap();
        assert_eq!(history.series("lcp", None, &Subject::new())[0].value, 2.5e9);
    }

    /// A file of schema 2 with one run, as perfbudget 2 wrote it (no limits).
    fn version_2_file(path: &Path) {
        Store::create_at_version(path, 2).unwrap();
        Connection::open(path)
            .unwrap()
            .execute_batch(
                "INSERT INTO runs VALUES (1, 'abc', 'main', '2026-11-01T10:00:00Z', 1, 'linux', 'x86_64', NULL, NULL, 'web', '0.1.0');
                 INSERT INTO series VALUES (1, 'lcp', '', '{}', 'ms');
                 INSERT INTO measurements VALUES (1, 1, 2500.0, NULL, NULL, NULL);",
            )
            .unwrap();
    }

    fn version_of(path: &Path) -> i64 {
        Connection::open(path).unwrap().query_row("PRAGMA user_version", [], |row| row.get(0)).unwrap()
    }

    #[test]
    fn a_file_of_schema_2_is_upgraded_on_the_first_write_and_its_runs_have_no_limits() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v2.db");
        version_2_file(&path);
        assert_eq!(version_of(&path), 2);
        let mut store = Store::open_for_writing(&path).unwrap();
        assert_eq!(version_of(&path), 3);
        let (old, limits) = store.comparison_limits("main", None).unwrap().unwrap();
        assert_eq!((old.commit.as_deref(), limits), (Some("abc"), None), "a run of schema 2 has no limits");
        let mut newer = run("def", 2, 10.0);
        newer.time = "2026-11-02T10:00:00Z".into();
        store.record(&newer).unwrap();
        let (run_at, limits) = store.comparison_limits("main", None).unwrap().unwrap();
        assert_eq!(run_at.commit.as_deref(), Some("def"));
        assert_eq!(limits, newer.limits);
        let (merge_base, limits) = store.comparison_limits("main", Some("abc")).unwrap().unwrap();
        assert_eq!((merge_base.commit.as_deref(), limits), (Some("abc"), None), "the merge-base's run, not the newest");
        let (newest, _) = store.comparison_limits("main", Some("0000000")).unwrap().unwrap();
        assert_eq!(newest.commit.as_deref(), Some("def"), "a merge-base not in the history: the newest run");
        assert!(store.comparison_limits("release", None).unwrap().is_none());
        let mut exported = Vec::new();
        store
            .export(&mut |run| {
                exported.push(run);
                Ok(())
            })
            .unwrap();
        assert_eq!(exported.iter().map(|run| run.limits.is_some()).collect::<Vec<_>>(), [false, true]);
        assert_eq!(exported[1], newer);
    }

    #[test]
    fn a_read_only_file_of_schema_2_is_read_as_it_is_without_limits() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v2.db");
        version_2_file(&path);
        let mut permissions = std::fs::metadata(&path).unwrap().permissions();
        permissions.set_readonly(true);
        std::fs::set_permissions(&path, permissions).unwrap();
        if std::fs::OpenOptions::new().write(true).open(&path).is_ok() {
            return; // running as root: every file is writable
        }
        let store = Store::open_for_reading(&path).unwrap().unwrap();
        assert_eq!(version_of(&path), 2, "not upgraded");
        let environment = Environment { os: "linux".into(), arch: "x86_64".into(), ..Environment::default() };
        assert_eq!(
            store.load("main", &environment, None).unwrap().series("lcp", None, &Subject::new())[0].value,
            2.5e9
        );
        let (run, limits) = store.comparison_limits("main", None).unwrap().unwrap();
        assert_eq!((run.commit.as_deref(), limits), (Some("abc"), None));
        let mut exported = Vec::new();
        store
            .export(&mut |run| {
                exported.push(run);
                Ok(())
            })
            .unwrap();
        assert_eq!(exported.len(), 1);
        assert_eq!(exported[0].limits, None);
    }

    #[test]
    fn foreign_newer_and_truncated_files_are_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let text = dir.path().join("notes.db");
        std::fs::write(&text, "just some notes\n".repeat(20)).unwrap();
        assert_eq!(
            message(Store::open_for_writing(&text)),
            format!(
                "{}: not a perfbudget history (not an SQLite database); give --history a file that `perfbudget \
                 history record` writes",
                text.display()
            )
        );
        let foreign = dir.path().join("other.db");
        Connection::open(&foreign).unwrap().execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
        assert!(
            message(Store::open_for_writing(&foreign)).ends_with("an SQLite database, but not a perfbudget history (application_id 0x0); give --history a file that `perfbudget history record` writes"),
        );
        let newer = dir.path().join("newer.db");
        Store::open_for_writing(&newer).unwrap();
        Connection::open(&newer).unwrap().pragma_update(None, "user_version", 99).unwrap();
        assert_eq!(
            message(Store::open_for_writing(&newer)),
            format!(
                "{}: a history of schema version 99, written by a newer perfbudget; this one reads up to version {}",
                newer.display(),
                SCHEMA_VERSION
            )
        );
        let whole = dir.path().join("whole.db");
        let mut store = Store::open_for_writing(&whole).unwrap();
        for day in 1..=28 {
            store.record(&run("c", day, 10.0)).unwrap();
        }
        drop(store);
        let bytes = std::fs::read(&whole).unwrap();
        let cut = dir.path().join("cut.db");
        std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
        let said = format!("{:#}", Store::open_for_reading(&cut).unwrap_err());
        assert!(said.starts_with(&format!("{}: a truncated history: ", cut.display())), "{said}");
        std::fs::write(&cut, &bytes[..40]).unwrap();
        let said = format!("{:#}", Store::open_for_reading(&cut).unwrap_err());
        assert_eq!(said, format!("{}: a truncated history (40 bytes, shorter than an SQLite header)", cut.display()));
        let empty = dir.path().join("empty.db");
        std::fs::write(&empty, "").unwrap();
        assert!(Store::open_for_reading(&empty).unwrap().is_none(), "an empty file is no history yet");
        assert!(Store::open_for_reading(&dir.path().join("missing.db")).unwrap().is_none());
    }
}
