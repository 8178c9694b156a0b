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

mod directory;
pub mod tokenize;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, OwnedValue, STORED, STRING, Schema, TantivyDocument,
    TextFieldIndexing, TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{
    LowerCaser, RawTokenizer, RegexTokenizer, RemoveLongFilter, TextAnalyzer, TokenStream,
};
use tantivy::{
    DocAddress, Index, IndexReader, IndexSettings, IndexWriter, ReloadPolicy, Term, doc,
};

use directory::IndexDirectory;
use writer::{Writing, writer};

use tokenize::{Bigrams, CODE_PATTERN, DigitGrams, HanChars};

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

struct Fields {
    key: Field,
    kind: Field,
    id: Field,
    title: Field,
    title_ng: Field,
    /// The Han characters of the title, the line under it and the names, one by one.
    title_chars: Field,
    subtitle: Field,
    body: Field,
    body_ng: Field,
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
    let fields = Fields {
        key: b.add_text_field("key", STRING | STORED),
        kind: b.add_text_field("kind", STRING | STORED),
        id: b.add_i64_field("id", STORED | INDEXED | FAST),
        title: b.add_text_field("title", text("jieba", true)),
        title_ng: b.add_text_field("title_ng", text("bigram", false)),
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

fn register_tokenizers(index: &Index) -> Result<()> {
    let t = index.tokenizers();
    t.register(
        "jieba",
        TextAnalyzer::builder(tantivy_jieba::JiebaTokenizer::new())
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .build(),
    );
    t.register("bigram", TextAnalyzer::builder(Bigrams).build());
    t.register("han_chars", TextAnalyzer::builder(HanChars).build());
    t.register("digits", TextAnalyzer::builder(DigitGrams).build());
    t.register(
        "code",
        TextAnalyzer::builder(RegexTokenizer::new(CODE_PATTERN)?)
            .filter(LowerCaser)
            .build(),
    );
    t.register(
        "lower_raw",
        TextAnalyzer::builder(RawTokenizer::default())
            .filter(LowerCaser)
            .build(),
    );
    Ok(())
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
    /// from an older schema) is removed and created empty; the second value says the index
    /// is new and must be filled from the database.
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
                if index.schema() == schema {
                    Ok(index)
                } else {
                    Err(tantivy::TantivyError::SchemaError("schema changed".into()))
                }
            });
        let (index, fresh) = match opened {
            Ok(index) if !fresh => (index, false),
            other => {
                if let Err(e) = other
                    && !fresh
                {
                    tracing::warn!(error = %e, dir = %dir.display(), "search index unreadable: rebuilding");
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
        register_tokenizers(&index)?;
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
            .and_then(|p| p.parse().ok())
            .unwrap_or(0)
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
            prepared.set_payload(&cursor.to_string());
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
        let mut guard = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(w) = guard.take()
            && let Err(e) = w.wait_merging_threads()
        {
            tracing::warn!(error = %e, "search index: merging after the rebuild failed");
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
            f.title_chars => d.title.as_str(),
            f.subtitle => d.subtitle.as_str(),
            f.body => d.body.as_str(),
            f.body_ng => d.body.as_str(),
            f.status => d.status.as_str(),
            f.doc_type => d.doc_type.as_str(),
            f.tier => d.tier.as_str(),
            f.at => d.at,
            f.link => d.link.as_str(),
        );
        // The line under the title (a contact's company, a ticket's number) is found too.
        doc.add_text(f.title_ng, &d.subtitle);
        doc.add_text(f.title_chars, &d.subtitle);
        doc.add_text(f.codes, &d.subtitle);
        doc.add_text(f.codes, &d.title);
        doc.add_text(f.codes, &d.body);
        for c in &d.codes {
            doc.add_text(f.codes, c);
        }
        for p in &d.phones {
            let digits: String = p.chars().filter(char::is_ascii_digit).collect();
            doc.add_text(f.digits, &digits);
        }
        for n in &d.names {
            doc.add_text(f.names, n.trim());
            for k in tokenize::pinyin_keys(n) {
                doc.add_text(f.names, &k);
            }
            doc.add_text(f.title_ng, n);
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

    /// The hits of `q`, best first. An empty or meaningless query (only punctuation) finds
    /// nothing rather than everything.
    pub fn search(&self, q: &SearchQuery) -> Result<Vec<Hit>> {
        let Some(text_query) = self.text_query(q) else {
            return Ok(Vec::new());
        };
        let mut must: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text_query)];
        if q.kinds.is_empty() {
            return Ok(Vec::new());
        }
        // Every document has a kind, and most are tickets: requiring "any of these kinds"
        // when tickets are among them would walk the whole index beside the words. Such a
        // search excludes the kinds the reader may not open instead.
        if q.kinds.contains(&Kind::Ticket) {
            for k in Kind::ALL.into_iter().filter(|k| !q.kinds.contains(k)) {
                must.push((Occur::MustNot, term(self.f.kind, k.key())));
            }
        } else {
            let kinds = q.kinds.iter();
            let kinds = kinds.map(|k| (Occur::Should, term(self.f.kind, k.key())));
            must.push((Occur::Must, Box::new(BooleanQuery::new(kinds.collect()))));
        }
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
        let query = BooleanQuery::new(must);
        let searcher = self.reader.searcher();
        let limit = q.limit.clamp(1, 200);
        let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        let mut body_snippets = SnippetGenerator::create(&searcher, &query, self.f.body)?;
        body_snippets.set_max_num_chars(120);
        let title_snippets = SnippetGenerator::create(&searcher, &query, self.f.title)?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            hits.push(self.hit(&searcher, address, score, &body_snippets, &title_snippets)?);
        }
        Ok(hits)
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

    /// The text part of a query: every whitespace-separated part must be found somewhere
    /// (as a phrase of bigrams, a code, a name or its pinyin, an email, a tag, or — when
    /// allowed — phone digits); dictionary words found whole add to the score. A part of one
    /// Han character is also looked for in titles and names character by character.
    fn text_query(&self, q: &SearchQuery) -> Option<Box<dyn Query>> {
        let text: String = q.text.chars().take(MAX_QUERY_CHARS).collect();
        let mut parts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for part in text.split_whitespace() {
            let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            let grams: Vec<String> = tokenize::bigrams(part).into_iter().map(|t| t.2).collect();
            for field in [self.f.title_ng, self.f.body_ng] {
                if let Some(p) = phrase(field, &grams) {
                    any.push((Occur::Should, p));
                }
            }
            // One Han character is a bigram only where it stands alone: inside a name it is
            // found among the title's and names' characters.
            if let [one] = grams.as_slice()
                && one.chars().count() == 1
                && one.chars().all(tokenize::is_han)
            {
                any.push((Occur::Should, term(self.f.title_chars, one)));
            }
            let lower = part.to_lowercase();
            for field in [self.f.names, self.f.emails, self.f.tags] {
                any.push((Occur::Should, term(field, &lower)));
            }
            let codes = self.tokens("code", part);
            if let Some(p) = phrase(self.f.codes, &codes) {
                any.push((Occur::Should, Box::new(BoostQuery::new(p, 4.0))));
            }
            if q.phones {
                let digits: String = part.chars().filter(char::is_ascii_digit).collect();
                let grams: Vec<String> = tokenize::digit_grams(&digits)
                    .into_iter()
                    .map(|t| t.2)
                    .filter(|s| !s.is_empty())
                    .collect();
                if let Some(p) = phrase(self.f.digits, &grams) {
                    any.push((Occur::Should, p));
                }
            }
            if any.len() == 3 && grams.is_empty() && codes.is_empty() {
                // Only punctuation: nothing to look for in this part.
                continue;
            }
            parts.push((Occur::Must, Box::new(BooleanQuery::new(any))));
            // Whole dictionary words rank first, the title above the body. A single Han
            // character (不, 的) is in nearly every conversation: ranking by it would walk
            // the whole index and tell nothing.
            let words = self.tokens("jieba", part).into_iter();
            for word in words.filter(|w| w.chars().count() > 1 || !w.chars().all(tokenize::is_han))
            {
                parts.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(term(self.f.title, &word), 3.0)),
                ));
                parts.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(term(self.f.body, &word), 1.5)),
                ));
            }
        }
        if !parts.iter().any(|(o, _)| *o == Occur::Must) {
            return None;
        }
        Some(Box::new(BooleanQuery::new(parts)))
    }

    fn tokens(&self, tokenizer: &str, text: &str) -> Vec<String> {
        let Some(mut analyzer) = self.index.tokenizers().get(tokenizer) else {
            return Vec::new();
        };
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token().text.trim().to_owned();
            if !t.is_empty() && t.chars().any(char::is_alphanumeric) {
                out.push(t);
            }
        }
        out
    }
}

fn key(kind: Kind, id: i64) -> String {
    format!("{}:{id}", kind.key())
}

fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

/// The tokens in order as a phrase (one token: a term).
fn phrase(field: Field, tokens: &[String]) -> Option<Box<dyn Query>> {
    match tokens {
        [] => None,
        [one] => Some(term(field, one)),
        many => Some(Box::new(PhraseQuery::new(
            many.iter()
                .map(|t| Term::from_field_text(field, t))
                .collect(),
        ))),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
