//! kefu-search — the search index that understands Chinese: tickets, customers, contacts and
//! reply scripts behind one search box.
//!
//! Each instance keeps its own tantivy index, fed from the store's change log (the cursor is
//! kept in the index's commit payload, so a restarted instance catches up from where it
//! stopped). The index is derived data: a missing or unreadable one is rebuilt from the
//! database, never fatal.
//!
//! Text is indexed three ways: jieba's dictionary words (whole-word hits rank first),
//! overlapping Han bigrams (so new product names and parts of compound words are found —
//! a query must match as a phrase of its bigrams), and codes (order and part numbers) whole.
//! Titles and names are also indexed one Han character at a time, so a query of a single
//! character finds them: a bigram holds a character only with its neighbour, and a rare
//! character of a name (𪚥) is often typed on its own. Bodies are not: one character is in
//! nearly every conversation. Phone numbers are indexed as 4-digit grams, names also by
//! pinyin. Every Han range is treated alike, the Basic Multilingual Plane and beyond.
//!
//! Text is folded before it is cut, the same when indexed and when asked ([`normalize`]):
//! full-width to half-width, traditional to simplified. Queries forgive spaces inside a
//! phone number, a code or pinyin (`query`). Among hits that match alike the newer ranks
//! first, and reply scripts do not push the other kinds off the first page (`rank`).

mod directory;
pub mod normalize;
mod query;
mod rank;
pub mod tokenize;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, OnceLock};

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, QueryClone, RangeQuery, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, OwnedValue, STORED, STRING, Schema, TantivyDocument,
    TextFieldIndexing, TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{LowerCaser, RawTokenizer, RemoveLongFilter, TextAnalyzer};
use tantivy::{
    DocAddress, Index, IndexReader, IndexSettings, IndexWriter, ReloadPolicy, Term, doc,
};

use directory::IndexDirectory;
use query::term;
use writer::{Writing, writer};

use tokenize::{Bigrams, Codes, DigitGrams, Folding, HanChars, Trigrams};

/// What a hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Ticket,
    Customer,
    Contact,
    Script,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Ticket, Kind::Customer, Kind::Contact, Kind::Script];

    pub fn key(self) -> &'static str {
        match self {
            Kind::Ticket => "ticket",
            Kind::Customer => "customer",
            Kind::Contact => "contact",
            Kind::Script => "script",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.key() == s)
    }
}

/// One thing to find, as the app builds it from the database.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    pub kind: Option<Kind>,
    pub id: i64,
    /// Subject, name, or script title.
    pub title: String,
    /// A line under the title in results (ticket number, company of a contact…), also
    /// searchable.
    pub subtitle: String,
    /// Messages and notes, notes of a customer, the script's text.
    pub body: String,
    /// Extra exact codes (ticket number); codes in the text are found by themselves.
    pub codes: Vec<String>,
    /// People's and companies' names, also found by pinyin.
    pub names: Vec<String>,
    /// Phone numbers (any format); searchable only by those who may see them.
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    pub tags: Vec<String>,
    /// Status (ticket status category, customer status, script status).
    pub status: String,
    /// Ticket type or customer type.
    pub doc_type: String,
    /// Customer tier.
    pub tier: String,
    pub assignee: Option<i64>,
    /// When it was created, microseconds since the epoch.
    pub at: i64,
    /// Where a hit opens.
    pub link: String,
}

/// A search request.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub text: String,
    /// The kinds the reader may open; nothing else is returned.
    pub kinds: Vec<Kind>,
    /// Whether phone digits may be searched (the reader may see phone numbers).
    pub phones: bool,
    pub status: Option<String>,
    pub doc_type: Option<String>,
    pub tier: Option<String>,
    pub assignee: Option<i64>,
    /// `[from, to)` in microseconds.
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub limit: usize,
    /// The time of the search, microseconds since the epoch: hits are ranked a little higher
    /// the newer they are. `None` ranks by the words alone (newer first on a tie).
    pub now: Option<i64>,
}

/// One result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub kind: Kind,
    pub id: i64,
    pub score: f32,
    pub title: String,
    pub subtitle: String,
    /// HTML: the matching passage with `<b>` around the words found (escaped otherwise).
    pub snippet: String,
    pub link: String,
    pub status: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index directory {path}: {source}")]
    Dir {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The writer could not be started again after a rebuild (see the log).
    #[error("search index: no writer")]
    NoWriter,
}

pub type Result<T> = std::result::Result<T, SearchError>;

/// The longest query considered; the rest is ignored.
pub const MAX_QUERY_CHARS: usize = 200;

/// What the index holds for a document, by version: raised whenever a tokenizer, the
/// folding of text or what a field is fed changes while the schema stays the same. An index
/// written under another version is rebuilt at start-up (as an unreadable one is), since
/// its tokens no longer meet the queries. Kept with the change-log cursor in each commit.
///
/// 1. Until the cursor carried a version.
/// 2. Text folded (full-width to half-width, traditional to simplified); codes without
///    their separators.
/// 3. Han trigrams (`title_tg`, `body_tg`); a new field changes the schema, which rebuilds
///    the index anyway.
pub const INDEX_VERSION: u32 = 3;

/// The commit payload: the index version and the change-log cursor.
fn payload(cursor: i64) -> String {
    format!("v{INDEX_VERSION}:{cursor}")
}

/// (version, cursor) of a commit payload; one without a version is version 1's bare cursor.
fn parse_payload(payload: &str) -> (u32, i64) {
    let versioned = payload
        .strip_prefix('v')
        .and_then(|p| p.split_once(':'))
        .and_then(|(v, c)| Some((v.parse().ok()?, c.parse().ok()?)));
    versioned.unwrap_or_else(|| (1, payload.parse().unwrap_or(0)))
}

struct Fields {
    key: Field,
    kind: Field,
    id: Field,
    title: Field,
    title_ng: Field,
    /// The title's Han trigrams (see [`tokenize::Trigrams`]), fed as `title_ng` is.
    title_tg: Field,
    /// The Han characters of the title, the line under it and the names, one by one.
    title_chars: Field,
    subtitle: Field,
    body: Field,
    body_ng: Field,
    body_tg: Field,
    codes: Field,
    digits: Field,
    names: Field,
    emails: Field,
    tags: Field,
    status: Field,
    doc_type: Field,
    tier: Field,
    assignee: Field,
    at: Field,
    link: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |tokenizer: &str, stored: bool| {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let o = TextOptions::default().set_indexing_options(indexing);
        if stored { o.set_stored() } else { o }
    };
    let terms_only = |tokenizer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqs),
        )
    };
    let fields = Fields {
        key: b.add_text_field("key", STRING | STORED),
        kind: b.add_text_field("kind", STRING | STORED),
        id: b.add_i64_field("id", STORED | INDEXED | FAST),
        title: b.add_text_field("title", text("jieba", true)),
        title_ng: b.add_text_field("title_ng", text("bigram", false)),
        // Looked up as single terms, never as a phrase: no positions.
        title_tg: b.add_text_field("title_tg", terms_only("trigram")),
        // Looked up one character at a time, never as a phrase: no positions.
        title_chars: b.add_text_field(
            "title_chars",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer("han_chars")
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        ),
        subtitle: b.add_text_field("subtitle", STORED),
        body: b.add_text_field("body", text("jieba", true)),
        body_ng: b.add_text_field("body_ng", text("bigram", false)),
        body_tg: b.add_text_field("body_tg", terms_only("trigram")),
        codes: b.add_text_field("codes", text("code", false)),
        digits: b.add_text_field("digits", text("digits", false)),
        names: b.add_text_field("names", text("lower_raw", false)),
        emails: b.add_text_field("emails", text("lower_raw", false)),
        tags: b.add_text_field("tags", text("lower_raw", false)),
        status: b.add_text_field("status", STRING | STORED),
        doc_type: b.add_text_field("doc_type", STRING | STORED),
        tier: b.add_text_field("tier", STRING | STORED),
        assignee: b.add_i64_field("assignee", INDEXED | FAST),
        at: b.add_i64_field("at", INDEXED | FAST | STORED),
        link: b.add_text_field("link", STORED),
    };
    (b.build(), fields)
}

fn register_tokenizers(index: &Index) {
    let t = index.tokenizers();
    // Every tokenizer folds the text first (see `normalize`): what one field missed, a
    // query would not find there.
    t.register(
        "jieba",
        TextAnalyzer::builder(Folding(tantivy_jieba::JiebaTokenizer::new()))
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .build(),
    );
    t.register("bigram", TextAnalyzer::builder(Bigrams).build());
    t.register("trigram", TextAnalyzer::builder(Trigrams).build());
    t.register("han_chars", TextAnalyzer::builder(HanChars).build());
    t.register("digits", TextAnalyzer::builder(DigitGrams).build());
    t.register("code", TextAnalyzer::builder(Codes).build());
    t.register(
        "lower_raw",
        TextAnalyzer::builder(Folding(RawTokenizer::default()))
            .filter(LowerCaser)
            .build(),
    );
}

/// The index of one instance.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    /// `None` only if a writer could not be started again after a rebuild.
    writer: Mutex<Option<IndexWriter>>,
    f: Fields,
    /// The change-log position every search sees: set after the reader has reloaded a
    /// commit (the stored cursor may be ahead of the searcher for a moment).
    visible: AtomicI64,
    /// Called when a rebuild's documents are committed, before its merges (see
    /// [`SearchIndex::when_indexed`]).
    indexed: OnceLock<fn()>,
}

/// Customers found by the index, for the archive's list box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerMatches {
    pub ids: Vec<i64>,
    /// The change-log position the search saw: records changed after it are not in `ids`
    /// and must be checked by the caller.
    pub cursor: i64,
}

impl SearchIndex {
    /// An index kept in memory (tests).
    pub fn in_memory() -> Result<SearchIndex> {
        let (schema, f) = schema();
        SearchIndex::from_index(Index::create_in_ram(schema), f)
    }

    /// Opens the index in `dir`, creating it when missing. An unreadable index (corrupt, or
    /// from an older schema or [`INDEX_VERSION`]) is removed and created empty; the second
    /// value says the index is new and must be filled from the database.
    pub fn open(dir: &Path) -> Result<(SearchIndex, bool)> {
        let (schema, f) = schema();
        let dir_err = |source| SearchError::Dir {
            path: dir.to_owned(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(dir_err)?;
        let fresh = std::fs::read_dir(dir).map_err(dir_err)?.next().is_none();
        let opened = IndexDirectory::open(dir)
            .map_err(tantivy::TantivyError::from)
            .and_then(Index::open)
            .and_then(|index| {
                if index.schema() != schema {
                    return Err(tantivy::TantivyError::SchemaError("schema changed".into()));
                }
                // An index never committed has no payload: it is empty, and as good as new.
                let version = index
                    .load_metas()?
                    .payload
                    .map_or(INDEX_VERSION, |p| parse_payload(&p).0);
                if version != INDEX_VERSION {
                    return Err(tantivy::TantivyError::SchemaError(format!(
                        "index version {version}, this kefu writes {INDEX_VERSION}"
                    )));
                }
                Ok(index)
            });
        let (index, fresh) = match opened {
            Ok(index) if !fresh => (index, false),
            other => {
                if let Err(e) = other
                    && !fresh
                {
                    tracing::warn!(error = %e, dir = %dir.display(), "search index unreadable or outdated: rebuilding");
                }
                std::fs::remove_dir_all(dir).map_err(dir_err)?;
                std::fs::create_dir_all(dir).map_err(dir_err)?;
                let files = IndexDirectory::open(dir).map_err(tantivy::TantivyError::from)?;
                (
                    Index::create(files, schema, IndexSettings::default())?,
                    true,
                )
            }
        };
        Ok((SearchIndex::from_index(index, f)?, fresh))
    }

    fn from_index(index: Index, f: Fields) -> Result<SearchIndex> {
        register_tokenizers(&index);
        let writer = writer(&index, Writing::Follow)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let index = SearchIndex {
            index,
            reader,
            writer: Mutex::new(Some(writer)),
            f,
            visible: AtomicI64::new(0),
            indexed: OnceLock::new(),
        };
        index.visible.store(index.cursor(), Ordering::SeqCst);
        Ok(index)
    }

    /// The change-log position the index has caught up to (0 for a new index).
    pub fn cursor(&self) -> i64 {
        self.index
            .load_metas()
            .ok()
            .and_then(|m| m.payload)
            .map_or(0, |p| parse_payload(&p).1)
    }

    /// Replaces these documents (by kind and id) and removes `gone`, then commits with the
    /// change-log position reached; searches see the change at once.
    pub fn apply(&self, docs: &[Doc], gone: &[(Kind, i64)], cursor: i64) -> Result<()> {
        self.stage(docs, gone)?;
        self.commit(cursor)
    }

    /// Adds documents the index does not hold, without committing: a rebuild, after
    /// [`begin_rebuild`](Self::begin_rebuild), adds each document once, many batches per commit (so the index
    /// is not split into a segment per batch). Replacing them instead would queue a deletion
    /// per document, which the writer keeps until every segment has applied it: 300 bytes
    /// each, half a gigabyte over a rebuild of a million tickets.
    pub fn add_new(&self, docs: &[Doc]) -> Result<()> {
        self.with_writer(|w| {
            for d in docs {
                w.add_document(self.document(d.kind.unwrap_or(Kind::Ticket), d))?;
            }
            Ok(())
        })
    }

    /// Replaces these documents and removes `gone` without committing: searches see them
    /// after the next [`commit`](Self::commit).
    pub fn stage(&self, docs: &[Doc], gone: &[(Kind, i64)]) -> Result<()> {
        self.with_writer(|w| {
            for d in docs {
                let kind = d.kind.unwrap_or(Kind::Ticket);
                w.delete_term(Term::from_field_text(self.f.key, &key(kind, d.id)));
                w.add_document(self.document(kind, d))?;
            }
            for (kind, id) in gone {
                w.delete_term(Term::from_field_text(self.f.key, &key(*kind, *id)));
            }
            Ok(())
        })
    }

    /// Commits what was staged with the change-log position reached; searches see it at once.
    pub fn commit(&self, cursor: i64) -> Result<()> {
        self.with_writer(|w| {
            let mut prepared = w.prepare_commit()?;
            prepared.set_payload(&payload(cursor));
            prepared.commit()?;
            Ok(())
        })?;
        self.reader.reload()?;
        self.visible.store(cursor, Ordering::SeqCst);
        Ok(())
    }

    /// Removes everything and sets the writer up for a rebuild: documents are then added
    /// with [`add_new`](Self::add_new) and the rebuild ended with
    /// [`finish_rebuild`](Self::finish_rebuild).
    pub fn begin_rebuild(&self) -> Result<()> {
        {
            let mut guard = self.writer.lock().unwrap_or_else(|e| e.into_inner());
            self.switch_writer(&mut guard, Writing::Rebuild)?
                .delete_all_documents()?;
        }
        self.commit(0)
    }

    /// Runs `f` with the writer, holding it meanwhile.
    fn with_writer<T>(&self, f: impl FnOnce(&mut IndexWriter) -> Result<T>) -> Result<T> {
        let mut guard = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        f(guard.as_mut().ok_or(SearchError::NoWriter)?)
    }

    /// Commits the rebuild at change-log position `cursor`, waits for its merges (so the
    /// index is searched in a few large segments, not hundreds), and sets the writer back to
    /// following the change log.
    pub fn finish_rebuild(&self, cursor: i64) -> Result<()> {
        self.commit(cursor)?;
        if let Some(indexed) = self.indexed.get() {
            indexed();
        }
        let mut guard = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(mut w) = guard.take() {
            let segments = self
                .index
                .searchable_segment_metas()?
                .into_iter()
                .map(|m| (m.id(), m.num_docs()))
                .collect();
            for group in writer::merge_groups(segments) {
                if let Err(e) = w.merge(&group).wait() {
                    tracing::warn!(error = %e, "search index: merging after the rebuild failed");
                    break;
                }
                // Searches move to the merged segment, so the merged-away ones are unmapped:
                // a merge reads their dictionaries whole, and a searcher still holding them
                // kept those pages resident until the last merge (93 MB of them at a
                // million tickets).
                self.reader.reload()?;
            }
            if let Err(e) = w.wait_merging_threads() {
                tracing::warn!(error = %e, "search index: merging after the rebuild failed");
            }
        }
        self.switch_writer(&mut guard, Writing::Follow)?;
        drop(guard);
        self.reader.reload()?;
        Ok(())
    }

    /// Replaces the writer by one set up for `writing` (the index allows one writer at a
    /// time: the old one is closed first).
    fn switch_writer<'a>(
        &self,
        slot: &'a mut Option<IndexWriter>,
        writing: Writing,
    ) -> Result<&'a mut IndexWriter> {
        drop(slot.take());
        match writer(&self.index, writing) {
            Ok(w) => Ok(slot.insert(w)),
            Err(e) => {
                tracing::error!(error = %e, "search index writer could not be started");
                Err(e)
            }
        }
    }

    /// Has `hook` called each time a rebuild's documents are all committed, before the
    /// rebuild merges its segments: the indexing buffers are freed then, and a server gives
    /// that memory back to the system there (it would otherwise add to the merges' peak).
    pub fn when_indexed(&self, hook: fn()) {
        let _ = self.indexed.set(hook);
    }

    /// How many documents the index holds.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn document(&self, kind: Kind, d: &Doc) -> TantivyDocument {
        let f = &self.f;
        let mut doc = doc!(
            f.key => key(kind, d.id),
            f.kind => kind.key(),
            f.id => d.id,
            f.title => d.title.as_str(),
            f.title_ng => d.title.as_str(),
            f.title_tg => d.title.as_str(),
            f.title_chars => d.title.as_str(),
            f.subtitle => d.subtitle.as_str(),
            f.body => d.body.as_str(),
            f.body_ng => d.body.as_str(),
            f.body_tg => d.body.as_str(),
            f.status => d.status.as_str(),
            f.doc_type => d.doc_type.as_str(),
            f.tier => d.tier.as_str(),
            f.at => d.at,
            f.link => d.link.as_str(),
        );
        // The line under the title (a contact's company, a ticket's number) is found too.
        doc.add_text(f.title_ng, &d.subtitle);
        doc.add_text(f.title_tg, &d.subtitle);
        doc.add_text(f.title_chars, &d.subtitle);
        doc.add_text(f.codes, &d.subtitle);
        doc.add_text(f.codes, &d.title);
        doc.add_text(f.codes, &d.body);
        for c in &d.codes {
            doc.add_text(f.codes, c);
        }
        for p in &d.phones {
            // Folded first: full-width digits are digits too.
            let digits: String = normalize::fold(p)
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            doc.add_text(f.digits, &digits);
        }
        for n in &d.names {
            doc.add_text(f.names, n.trim());
            for k in tokenize::pinyin_keys(&normalize::fold(n)) {
                doc.add_text(f.names, &k);
            }
            doc.add_text(f.title_ng, n);
            doc.add_text(f.title_tg, n);
            doc.add_text(f.title_chars, n);
        }
        for e in &d.emails {
            doc.add_text(f.emails, e.trim());
        }
        for t in &d.tags {
            doc.add_text(f.tags, t.trim());
        }
        if let Some(a) = d.assignee {
            doc.add_i64(f.assignee, a);
        }
        doc
    }

    /// The hits of `q`, best first (see `rank`). An empty or meaningless query (only
    /// punctuation) finds nothing rather than everything.
    pub fn search(&self, q: &SearchQuery) -> Result<Vec<Hit>> {
        if q.kinds.is_empty() {
            return Ok(Vec::new());
        }
        let Some(text_query) = self.text_query(q) else {
            return Ok(Vec::new());
        };
        let filters = self.filters(q);
        let searcher = self.reader.searcher();
        let limit = q.limit.clamp(1, 200);
        // Reply scripts are collected apart from the other kinds, so that only a few of them
        // can stand ahead of tickets (`rank::first_page`).
        let (scripts, others): (Vec<Kind>, Vec<Kind>) =
            q.kinds.iter().partition(|k| **k == Kind::Script);
        let mut found = [Vec::new(), Vec::new()];
        for (slot, kinds) in found.iter_mut().zip([&others, &scripts]) {
            if kinds.is_empty() {
                continue;
            }
            let mut clauses = vec![(Occur::Must, text_query.box_clone())];
            clauses.extend(self.kind_clauses(kinds));
            clauses.extend(filters.iter().map(|(o, f)| (*o, f.box_clone())));
            let query = BooleanQuery::new(clauses);
            *slot = searcher.search(&query, &rank::collector(limit, q.now))?;
        }
        let [others, scripts] = found;
        let top = rank::first_page(others, scripts, limit);
        // The words alone mark the snippets: the kinds and filters are not in the text.
        let mut body_snippets = SnippetGenerator::create(&searcher, &*text_query, self.f.body)?;
        body_snippets.set_max_num_chars(120);
        let title_snippets = SnippetGenerator::create(&searcher, &*text_query, self.f.title)?;
        let mut hits = Vec::with_capacity(top.len());
        for ((score, _), address) in top {
            hits.push(self.hit(&searcher, address, score, &body_snippets, &title_snippets)?);
        }
        Ok(hits)
    }

    /// Only documents of these kinds.
    fn kind_clauses(&self, kinds: &[Kind]) -> Vec<(Occur, Box<dyn Query>)> {
        // Every document has a kind, and most are tickets: requiring "any of these kinds"
        // when tickets are among them would walk the whole index beside the words. Such a
        // search excludes the other kinds instead.
        if kinds.contains(&Kind::Ticket) {
            return Kind::ALL
                .into_iter()
                .filter(|k| !kinds.contains(k))
                .map(|k| (Occur::MustNot, term(self.f.kind, k.key())))
                .collect();
        }
        let any = kinds.iter();
        let any = any.map(|k| (Occur::Should, term(self.f.kind, k.key())));
        vec![(Occur::Must, Box::new(BooleanQuery::new(any.collect())))]
    }

    /// The filters of `q` beside its text: status, type, tier, assignee, time.
    fn filters(&self, q: &SearchQuery) -> Vec<(Occur, Box<dyn Query>)> {
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (field, value) in [
            (self.f.status, &q.status),
            (self.f.doc_type, &q.doc_type),
            (self.f.tier, &q.tier),
        ] {
            if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
                must.push((Occur::Must, term(field, v)));
            }
        }
        if let Some(a) = q.assignee {
            must.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_i64(self.f.assignee, a),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if q.from.is_some() || q.to.is_some() {
            use std::ops::Bound;
            let lo = q.from.map_or(Bound::Unbounded, |v| {
                Bound::Included(Term::from_field_i64(self.f.at, v))
            });
            let hi = q.to.map_or(Bound::Unbounded, |v| {
                Bound::Excluded(Term::from_field_i64(self.f.at, v))
            });
            must.push((Occur::Must, Box::new(RangeQuery::new(lo, hi))));
        }
        must
    }

    /// The customers `text` finds (by name, a contact's name, pinyin, notes…, and phone
    /// digits when `phones`), or `None` when more than `cap` do: a broad word is cheaper to
    /// look for in the list's own order than to collect here.
    pub fn customer_ids(
        &self,
        text: &str,
        phones: bool,
        cap: usize,
    ) -> Result<Option<CustomerMatches>> {
        // Read before the searcher: the snapshot holds at least what this position says.
        let cursor = self.visible.load(Ordering::SeqCst);
        let q = SearchQuery {
            text: text.to_owned(),
            kinds: vec![Kind::Customer],
            phones,
            ..SearchQuery::default()
        };
        let Some(text_query) = self.text_query(&q) else {
            return Ok(Some(CustomerMatches {
                ids: Vec::new(),
                cursor,
            }));
        };
        let query = BooleanQuery::new(vec![
            (Occur::Must, text_query),
            (Occur::Must, term(self.f.kind, Kind::Customer.key())),
        ]);
        let searcher = self.reader.searcher();
        let top = searcher.search(&query, &TopDocs::with_limit(cap + 1).order_by_score())?;
        if top.len() > cap {
            return Ok(None);
        }
        let mut ids = Vec::with_capacity(top.len());
        for (_, address) in top {
            let column = searcher
                .segment_reader(address.segment_ord)
                .fast_fields()
                .i64("id")?;
            ids.extend(column.first(address.doc_id));
        }
        Ok(Some(CustomerMatches { ids, cursor }))
    }

    fn hit(
        &self,
        searcher: &tantivy::Searcher,
        address: DocAddress,
        score: f32,
        body_snippets: &SnippetGenerator,
        title_snippets: &SnippetGenerator,
    ) -> Result<Hit> {
        let doc: TantivyDocument = searcher.doc(address)?;
        let text = |field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        let id = match doc.get_first(self.f.id).map(OwnedValue::from) {
            Some(OwnedValue::I64(v)) => v,
            _ => 0,
        };
        let body = body_snippets.snippet_from_doc(&doc);
        let snippet = if body.is_empty() {
            let title = title_snippets.snippet_from_doc(&doc);
            if title.is_empty() {
                escape(&text(self.f.body).chars().take(120).collect::<String>())
            } else {
                title.to_html()
            }
        } else {
            body.to_html()
        };
        Ok(Hit {
            kind: Kind::parse(&text(self.f.kind)).unwrap_or(Kind::Ticket),
            id,
            score,
            title: text(self.f.title),
            subtitle: text(self.f.subtitle),
            snippet,
            link: text(self.f.link),
            status: text(self.f.status),
        })
    }
}

fn key(kind: Kind, id: i64) -> String {
    format!("{}:{id}", kind.key())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
