//! Searching the index: bounding and parsing user queries, building filters,
//! and collecting one page of hits plus facet counts from a single searcher.
//!
//! Everything here is a plain function over a tantivy [`Searcher`]; nothing
//! knows about HTTP, so it can be tested and fuzzed on its own.

use std::collections::{BTreeSet, HashSet};
use std::ops::Bound;

use crate::links::grant_outputs;
use hcs_index::document::person_fact;
use hcs_index::schema::{DEFAULT_SEARCH_FIELDS, QUERYABLE_FIELDS, RANGE_FIELDS};
use hcs_index::{Fields, IndexError, IndexStore};
use hcs_model::records::Record;
use hcs_model::tags::SlotTag;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    BooleanQuery, ConstScoreQuery, Occur, Query, QueryParser, QueryParserError, RangeQuery,
    TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, FieldType, IndexRecordOption};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Index, Order, Searcher, TantivyDocument, TantivyError, Term};

pub mod highlight;

mod boolean;
mod facets;
mod params;
mod snippets;
mod syntax;

pub use facets::{
    Bucket, Facet, FacetValue, Facets, JOURNAL_FACET_SIZE, TYPE_FACET_SIZE, YEAR_FACET_SIZE,
};
pub use params::{
    Filters, ParamError, RecordKind, SearchParams, Sort, BAND_FILTER_TERMS, DEFAULT_PER_PAGE,
    MAX_FILTER_VALUES, MAX_FILTER_VALUE_BYTES, MAX_PER_PAGE, MAX_RESULT_WINDOW, MAX_YEAR,
    ROLE_FILTER_TERMS, TIER_FILTER_TERMS,
};
pub use syntax::{
    check_query, normalize_query, QueryError, MAX_GROUPS, MAX_NESTING, MAX_NOTS, MAX_QUERY_BYTES,
};

/// Length of the abstract snippet, in characters.
pub const ABSTRACT_SNIPPET_CHARS: usize = 300;

/// Titles are highlighted whole: a fragment longer than any title.
const TITLE_SNIPPET_CHARS: usize = 10_000;
/// Query-time boosts: a match in the title counts most.
const FIELD_BOOSTS: [(&str, f32); 5] = [
    ("title", 3.0),
    ("mesh", 1.5),
    ("keywords", 1.5),
    ("affiliation", 0.5),
    ("journal", 0.5),
];

/// Why a search or lookup failed.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The query string was refused (a client error).
    #[error(transparent)]
    Query(#[from] QueryError),
    /// A parameter was refused (a client error).
    #[error(transparent)]
    Param(#[from] ParamError),
    /// tantivy failed while searching (a server error).
    #[error("search failed: {0}")]
    Tantivy(#[from] TantivyError),
    /// A stored record could not be read back (a server error).
    #[error(transparent)]
    Record(#[from] IndexError),
}

/// One result: the stored record, its tags, its score, and highlighted HTML.
#[derive(Debug, Clone)]
pub struct Hit {
    /// The canonical record as stored (redacted when the store serves).
    pub record: Record,
    /// The healthcare-scientist tags stored with it.
    pub tags: Vec<SlotTag>,
    /// BM25 score; `None` when results are ordered by year.
    pub score: Option<f32>,
    /// The whole title as HTML, matched terms in `<b>`.
    pub title_html: String,
    /// A passage of the abstract as HTML, matched terms in `<b>`; `None` without an abstract.
    pub abstract_html: Option<String>,
    /// A grant's outputs as its page lists them (funder-reported and
    /// acknowledging publications); `None` for publications.
    pub output_count: Option<usize>,
}

/// The answer to one search.
#[derive(Debug, Clone)]
pub struct SearchOutcome {
    /// Number of records matching query and filters.
    pub total: usize,
    /// The requested page of hits.
    pub hits: Vec<Hit>,
    /// Facet counts over all `total` matches.
    pub facets: Facets,
    /// The order used.
    pub sort: Sort,
    /// What a lenient parse of the query dropped, one sentence each.
    pub warnings: Vec<String>,
}

/// A parsed user query; `None` matches everything.
pub type ParsedQuery = Option<Box<dyn Query>>;

/// Which hits to collect, and whether to count facets.
#[derive(Debug, Clone, Copy)]
struct Window {
    offset: usize,
    limit: usize,
    /// Count facets (pages do; downloads do not).
    facets: bool,
    /// Highlight titles and abstracts (pages do; downloads do not).
    highlights: bool,
}

/// The query parser and facet request for one index, built once and shared.
pub struct SearchEngine {
    fields: Fields,
    facet_tables: facets::FacetTables,
    parser: QueryParser,
    query_fields: boolean::QueryFields,
    integer_fields: Vec<String>,
}

impl std::fmt::Debug for SearchEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchEngine")
            .field("query_fields", &self.query_fields)
            .finish_non_exhaustive()
    }
}

impl SearchEngine {
    /// Builds the engine for `index` (whose tokenizers must already be registered).
    ///
    /// Terms are combined with AND unless the query says `OR`; title matches are boosted.
    pub fn new(index: &Index, fields: &Fields) -> Result<Self, TantivyError> {
        let schema = index.schema();
        let default_fields = DEFAULT_SEARCH_FIELDS
            .iter()
            .map(|name| schema.get_field(name))
            .collect::<Result<Vec<_>, _>>()?;
        let mut parser = QueryParser::for_index(index, default_fields);
        parser.set_conjunction_by_default();
        for (name, boost) in FIELD_BOOSTS {
            parser.set_field_boost(schema.get_field(name)?, boost);
        }
        let mut names = Vec::new();
        let mut integer_fields = Vec::new();
        for name in QUERYABLE_FIELDS {
            let entry = schema.get_field_entry(schema.get_field(name)?);
            if !entry.is_indexed() {
                continue;
            }
            names.push(name);
            if matches!(entry.field_type(), FieldType::U64(_) | FieldType::I64(_)) {
                integer_fields.push(name.to_owned());
            }
        }
        let query_fields = boolean::QueryFields::new(names, RANGE_FIELDS.to_vec());
        Ok(Self {
            fields: fields.clone(),
            facet_tables: facets::FacetTables::default(),
            parser,
            query_fields,
            integer_fields,
        })
    }

    /// Prepares what searches of `searcher` need beyond the index itself (the
    /// facet tables of new segments), so that no search waits for it.
    pub fn warm(&self, searcher: &Searcher) -> Result<(), TantivyError> {
        self.facet_tables.refresh(searcher)
    }

    /// Bounds-checks and parses a user query; `Ok(None)` means match everything.
    ///
    /// The boolean structure and the fields are ours ([`boolean`]); tantivy
    /// builds the leaves.
    pub fn parse(&self, q: &str) -> Result<ParsedQuery, QueryError> {
        check_query(q)?;
        if q.trim().is_empty() {
            return Ok(None);
        }
        let parsed = boolean::parse(&normalize_query(q), &self.query_fields, false)?;
        let Some(ast) = parsed.ast else {
            return Ok(None);
        };
        self.parser
            .build_query_from_user_input_ast(ast)
            .map(Some)
            .map_err(|error| self.describe(error, q))
    }

    /// Parses a user query leniently (still bounds-checked): what cannot be
    /// read is dropped and comes back as warnings, so "heart (failure"
    /// searches `heart failure` instead of failing.
    pub fn parse_lenient(&self, q: &str) -> Result<(ParsedQuery, Vec<String>), QueryError> {
        check_query(q)?;
        if q.trim().is_empty() {
            return Ok((None, Vec::new()));
        }
        let parsed = boolean::parse(&normalize_query(q), &self.query_fields, true)?;
        let mut warnings = parsed.warnings;
        let Some(ast) = parsed.ast else {
            return Ok((None, warnings));
        };
        let (query, errors) = self.parser.build_query_from_user_input_ast_lenient(ast);
        warnings.extend(
            errors
                .into_iter()
                .map(|error| self.describe(error, q).to_string()),
        );
        Ok((Some(query), warnings))
    }

    /// The `limit` records that best match `q` and have an accepted roster
    /// healthcare scientist, with their tags and BM25 scores (best first).
    pub fn tagged_matches(
        &self,
        searcher: &Searcher,
        store: &IndexStore,
        q: &str,
        limit: usize,
    ) -> Result<Vec<(Record, Vec<SlotTag>, f32)>, SearchError> {
        let Some(user_query) = self.parse(q)? else {
            return Err(ParamError::new("q", "q is required: the topic to find people for").into());
        };
        let tagged = TermQuery::new(
            Term::from_field_text(self.fields.hcs, "roster"),
            IndexRecordOption::Basic,
        );
        let query = BooleanQuery::new(vec![
            (Occur::Must, user_query),
            (
                Occur::Must,
                Box::new(ConstScoreQuery::new(Box::new(tagged), 0.0)),
            ),
        ]);
        let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        let mut matches = Vec::with_capacity(top.len());
        for (score, address) in top {
            let document: TantivyDocument = searcher.doc(address)?;
            matches.push((
                store.decode_record(&document)?,
                store.decode_tags(&document)?,
                score,
            ));
        }
        Ok(matches)
    }

    /// Every record on which `person_id` is an accepted roster match, with its tags.
    pub fn person_records(
        &self,
        searcher: &Searcher,
        store: &IndexStore,
        person_id: &str,
    ) -> Result<Vec<(Record, Vec<SlotTag>)>, SearchError> {
        let query = TermQuery::new(
            Term::from_field_text(self.fields.hcs_person, person_id),
            IndexRecordOption::Basic,
        );
        let addresses = searcher.search(&query, &tantivy::collector::DocSetCollector)?;
        let mut records = Vec::with_capacity(addresses.len());
        for address in addresses {
            let document: TantivyDocument = searcher.doc(address)?;
            records.push((
                store.decode_record(&document)?,
                store.decode_tags(&document)?,
            ));
        }
        records.sort_by(|a, b| a.0.id().cmp(b.0.id()));
        Ok(records)
    }

    /// Runs `params` against `searcher`: one page of hits, the total and the facets.
    pub fn search(
        &self,
        searcher: &Searcher,
        store: &IndexStore,
        params: &SearchParams,
    ) -> Result<SearchOutcome, SearchError> {
        params.validate()?;
        let window = Window {
            offset: params.offset(),
            limit: params.per_page,
            facets: true,
            highlights: true,
        };
        self.run(searcher, store, params, window)
    }

    /// Every match of `params` in its order, up to [`MAX_RESULT_WINDOW`]
    /// (page and page size ignored): the rows of a CSV download. No facets.
    pub fn export(
        &self,
        searcher: &Searcher,
        store: &IndexStore,
        params: &SearchParams,
    ) -> Result<SearchOutcome, SearchError> {
        let first_page = SearchParams {
            page: 1,
            ..params.clone()
        };
        first_page.validate()?;
        let window = Window {
            offset: 0,
            limit: MAX_RESULT_WINDOW,
            facets: false,
            highlights: false,
        };
        self.run(searcher, store, params, window)
    }

    fn run(
        &self,
        searcher: &Searcher,
        store: &IndexStore,
        params: &SearchParams,
        window: Window,
    ) -> Result<SearchOutcome, SearchError> {
        let (user_query, warnings) = if params.lenient {
            self.parse_lenient(&params.q)?
        } else {
            (self.parse(&params.q)?, Vec::new())
        };
        let query = self.filtered(
            searcher,
            params.kind,
            user_query.as_deref(),
            &params.filters,
        )?;

        let facet_counter = window
            .facets
            .then(|| facets::FacetCollector::new(params.kind, &self.facet_tables));
        let top = TopDocs::with_limit(window.limit).and_offset(window.offset);
        let sort = params.effective_sort();
        let (addresses, total, mut facets): (Vec<(Option<f32>, DocAddress)>, _, _) = match sort {
            Sort::Relevance => {
                let (top, total, aggs) =
                    searcher.search(&query, &(top.order_by_score(), Count, facet_counter))?;
                let top = top.into_iter().map(|(s, a)| (Some(s), a)).collect();
                (top, total, aggs)
            }
            Sort::Newest | Sort::Oldest => {
                let order = if sort == Sort::Newest {
                    Order::Desc
                } else {
                    Order::Asc
                };
                let collector = top.order_by_u64_field("year", order);
                let (top, total, aggs) =
                    searcher.search(&query, &(collector, Count, facet_counter))?;
                let top = top.into_iter().map(|(_, a)| (None, a)).collect();
                (top, total, aggs)
            }
        };

        if let Some(facets) = facets.as_mut() {
            if params.filters.is_person_scoped() {
                facets.role = self.role_facet(
                    searcher,
                    params.kind,
                    user_query.as_deref(),
                    &params.filters,
                )?;
            }
        }
        let snippets = match &user_query {
            Some(query) if window.highlights => Some(self.snippet_generators(searcher, &**query)?),
            _ => None,
        };
        let mut hits = Vec::with_capacity(addresses.len());
        for (score, address) in addresses {
            let document: TantivyDocument = searcher.doc(address)?;
            let record = store.decode_record(&document)?;
            let tags = store.decode_tags(&document)?;
            let (title_html, abstract_html) = highlight_record(&record, snippets.as_ref());
            let output_count = match &record {
                Record::Grant(grant) => Some(grant_outputs(store, searcher, grant)?.len()),
                Record::Publication(_) => None,
            };
            hits.push(Hit {
                record,
                tags,
                score,
                title_html,
                abstract_html,
                output_count,
            });
        }
        Ok(SearchOutcome {
            total,
            hits,
            facets: facets.unwrap_or_default(),
            sort,
            warnings,
        })
    }

    /// The record kind, the user query and every filter, as one query.
    fn filtered(
        &self,
        searcher: &Searcher,
        kind: RecordKind,
        user_query: Option<&dyn Query>,
        filters: &Filters,
    ) -> Result<BooleanQuery, TantivyError> {
        let kind = TermQuery::new(
            Term::from_field_text(self.fields.record_type, kind.term()),
            IndexRecordOption::Basic,
        );
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
            Occur::Must,
            Box::new(ConstScoreQuery::new(Box::new(kind), 0.0)),
        )];
        if let Some(query) = user_query {
            clauses.push((Occur::Must, query.box_clone()));
        }
        for filter in self.filter_queries(searcher, filters)? {
            // Filters restrict; they must not change the ranking.
            clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0))));
        }
        Ok(BooleanQuery::new(clauses))
    }

    /// The role facet when the person filters are on: for each role, the
    /// records where one counted person meets every person filter *in that
    /// role*, so that choosing a bucket gives exactly its count. (Counting
    /// roles of anyone on the records offered `key_author (3)` on a drill-down
    /// whose role filter then found nothing.)
    fn role_facet(
        &self,
        searcher: &Searcher,
        kind: RecordKind,
        user_query: Option<&dyn Query>,
        filters: &Filters,
    ) -> Result<Facet, TantivyError> {
        let mut buckets = Vec::new();
        for role in ROLE_FILTER_TERMS {
            let one_role = Filters {
                roles: vec![role.to_owned()],
                ..filters.clone()
            };
            let query = self.filtered(searcher, kind, user_query, &one_role)?;
            let count = searcher.search(&query, &Count)? as u64;
            if count > 0 {
                buckets.push(Bucket {
                    value: FacetValue::Text(role.to_owned()),
                    count,
                });
            }
        }
        buckets.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp_key(&b.value)));
        Ok(Facet { buckets, other: 0 })
    }

    /// The stored record with this id, if any.
    pub fn find(
        &self,
        searcher: &Searcher,
        store: &IndexStore,
        id: &str,
    ) -> Result<Option<(Record, Vec<SlotTag>)>, SearchError> {
        let query = TermQuery::new(
            Term::from_field_text(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let found = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        let Some((_, address)) = found.first() else {
            return Ok(None);
        };
        let document: TantivyDocument = searcher.doc(*address)?;
        Ok(Some((
            store.decode_record(&document)?,
            store.decode_tags(&document)?,
        )))
    }

    fn snippet_generators(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
    ) -> Result<(SnippetGenerator, SnippetGenerator), TantivyError> {
        let title =
            snippets::prose_generator(searcher, query, self.fields.title, TITLE_SNIPPET_CHARS)?;
        let r#abstract = snippets::prose_generator(
            searcher,
            query,
            self.fields.r#abstract,
            ABSTRACT_SNIPPET_CHARS,
        )?;
        Ok((title, r#abstract))
    }

    fn filter_queries(
        &self,
        searcher: &Searcher,
        filters: &Filters,
    ) -> Result<Vec<Box<dyn Query>>, TantivyError> {
        let year = self.fields.year;
        let mut queries: Vec<Box<dyn Query>> = Vec::new();
        if let Some(value) = filters.year {
            queries.push(Box::new(TermQuery::new(
                Term::from_field_u64(year, value),
                IndexRecordOption::Basic,
            )));
        }
        if filters.year_from.is_some() || filters.year_to.is_some() {
            let bound = |value: Option<u64>| match value {
                Some(value) => Bound::Included(Term::from_field_u64(year, value)),
                None => Bound::Unbounded,
            };
            queries.push(Box::new(RangeQuery::new(
                bound(filters.year_from),
                bound(filters.year_to),
            )));
        }
        for (field, values) in [
            (self.fields.publication_type, &filters.types),
            (self.fields.journal_exact, &filters.journals),
            (self.fields.funder, &filters.funders),
            (self.fields.hcs_band, &filters.bands),
        ] {
            if !values.is_empty() {
                let terms = resolve_values(searcher, field, values)?
                    .into_iter()
                    .map(|value| Term::from_field_text(field, &value))
                    .collect::<Vec<_>>();
                queries.push(Box::new(TermSetQuery::new(terms)));
            }
        }
        queries.extend(self.person_queries(searcher, filters)?);
        Ok(queries)
    }

    /// The healthcare-scientist filters, required of one counted person: the
    /// tier (`hcs`), the role and each group filter (organisation, division,
    /// discipline) are matched as `tier|role|dimension=value` facts of the
    /// same person. Two group filters may still be met by two people.
    fn person_queries(
        &self,
        searcher: &Searcher,
        filters: &Filters,
    ) -> Result<Vec<Box<dyn Query>>, TantivyError> {
        let groups = [
            (
                "organisation",
                self.fields.hcs_organisation,
                &filters.organisations,
            ),
            ("division", self.fields.hcs_division, &filters.divisions),
            (
                "discipline",
                self.fields.hcs_discipline,
                &filters.disciplines,
            ),
        ];
        let grouped = groups.iter().any(|(_, _, values)| !values.is_empty());
        if filters.hcs.is_empty() && filters.roles.is_empty() && !grouped {
            return Ok(Vec::new());
        }
        let or_all = |values: &[String], all: &'static [&'static str]| -> Vec<String> {
            if values.is_empty() {
                all.iter().map(|v| (*v).to_owned()).collect()
            } else {
                values.to_vec()
            }
        };
        let tiers = or_all(&filters.hcs, &TIER_FILTER_TERMS);
        let roles = or_all(&filters.roles, &["any"]);
        let field = self.fields.hcs_person_facts;
        let facts = |group: Option<(&str, &str)>| -> Vec<Term> {
            tiers
                .iter()
                .flat_map(|tier| {
                    roles.iter().map(move |role| {
                        Term::from_field_text(field, &person_fact(tier, role, group))
                    })
                })
                .collect()
        };
        let mut queries: Vec<Box<dyn Query>> = Vec::new();
        if !grouped {
            queries.push(Box::new(TermSetQuery::new(facts(None))));
        }
        for (dimension, group_field, values) in groups {
            if values.is_empty() {
                continue;
            }
            let mut terms = Vec::new();
            for value in resolve_values(searcher, group_field, values)? {
                terms.extend(facts(Some((dimension, &value))));
            }
            queries.push(Box::new(TermSetQuery::new(terms)));
        }
        Ok(queries)
    }

    /// Turns a parser error into one sentence naming the problem.
    fn describe(&self, error: QueryParserError, q: &str) -> QueryError {
        let fields = self.query_fields.names().join(", ");
        let message = match error {
            QueryParserError::SyntaxError(_) => syntax::syntax_hint(q),
            QueryParserError::FieldDoesNotExist(name) => {
                format!("unknown field '{name}' in the query; searchable fields are {fields}")
            }
            QueryParserError::FieldNotIndexed(name) => {
                format!("field '{name}' cannot be searched; searchable fields are {fields}")
            }
            QueryParserError::ExpectedInt(_) => {
                let names = self.integer_fields.join("', '");
                format!(
                    "field '{names}' takes a whole number, e.g. year:2019 or year:[2015 TO 2020]"
                )
            }
            // Matched by variant: tantivy's Display text for this one is wrong.
            QueryParserError::ExpectedFloat(_) => {
                "a field in the query takes a number, and the value given is not one".to_owned()
            }
            QueryParserError::AllButQueryForbidden => {
                "the query only excludes terms; add at least one term to search for, \
                 e.g. `embolism -air`"
                    .to_owned()
            }
            QueryParserError::FieldDoesNotHavePositionsIndexed(name) => format!(
                "field '{name}' holds exact values and does not support phrase search; \
                 write {name}:value"
            ),
            QueryParserError::PhrasePrefixRequiresAtLeastTwoTerms { phrase, .. } => {
                format!("the phrase prefix \"{phrase}\"* needs at least two words")
            }
            QueryParserError::RangeMustNotHavePhrase => {
                "range bounds must be single values, e.g. year:[2015 TO 2020]".to_owned()
            }
            QueryParserError::UnsupportedQuery(detail) => {
                format!("the query uses an unsupported feature: {detail}")
            }
            other => format!("the query could not be interpreted: {other}"),
        };
        QueryError::Invalid(message)
    }
}

/// The exact values of `field` in the index equal to any of `wanted`,
/// ignoring case (and `wanted` itself, so an absent value matches nothing).
///
/// Exact-value fields are small vocabularies (publication types, journal
/// titles, organisations), so a scan of the term dictionary is cheap and
/// saves users from guessing capitals.
fn resolve_values(
    searcher: &Searcher,
    field: Field,
    wanted: &[String],
) -> Result<BTreeSet<String>, TantivyError> {
    let wanted_lower: HashSet<String> = wanted.iter().map(|w| w.to_lowercase()).collect();
    let mut found: BTreeSet<String> = wanted.iter().cloned().collect();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted.terms().stream()?;
        while stream.advance() {
            if let Ok(text) = std::str::from_utf8(stream.key()) {
                if wanted_lower.contains(&text.to_lowercase()) {
                    found.insert(text.to_owned());
                }
            }
        }
    }
    Ok(found)
}

fn highlight_record(
    record: &Record,
    snippets: Option<&(SnippetGenerator, SnippetGenerator)>,
) -> (String, Option<String>) {
    let (title, abstract_text) = match record {
        Record::Publication(publication) => (
            &publication.title,
            publication.r#abstract.as_ref().map(|a| a.text()),
        ),
        Record::Grant(grant) => (&grant.title, grant.r#abstract.clone()),
    };
    match snippets {
        Some((title_generator, abstract_generator)) => (
            highlight::whole(title, &title_generator.snippet(title)),
            abstract_text.map(|text| {
                highlight::passage(
                    &text,
                    &abstract_generator.snippet(&text),
                    ABSTRACT_SNIPPET_CHARS,
                )
            }),
        ),
        None => (
            highlight::escape(title),
            abstract_text.map(|text| highlight::opening(&text, ABSTRACT_SNIPPET_CHARS)),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> SearchEngine {
        let (schema, fields) = Fields::build();
        let index = Index::create_in_ram(schema);
        hcs_index::schema::register_tokenizers(&index);
        SearchEngine::new(&index, &fields).unwrap()
    }

    #[test]
    fn everyday_queries_parse() {
        let engine = engine();
        for q in [
            "Crohn's disease",
            "patients' views",
            "'heart failure'",
            "\"air embolism\"",
            "title:embolism year:[2015 TO 2020]",
            "type:Review",
            "embolism -air",
            "a\tb",
        ] {
            assert!(engine.parse(q).is_ok(), "{q}: {:?}", engine.parse(q).err());
        }
        assert!(engine.parse("  ").unwrap().is_none());
    }

    #[test]
    fn bad_queries_are_named() {
        let engine = engine();
        for (q, needle) in [
            ("nosuchfield:x", "nosuchfield"),
            ("year:abc", "year"),
            ("title:", "title"),
            ("\"unclosed", "quote"),
            ("record:x", "'record'"),
            ("emails:*", "'emails'"),
            ("registration:x", "'registration'"),
            ("title:*", "title:*"),
            ("title:[a TO b]", "'title'"),
            ("a AND NOT", "NOT"),
        ] {
            let Err(error) = engine.parse(q) else {
                panic!("{q} parsed");
            };
            let message = error.to_string();
            assert!(message.contains(needle), "{q}: {message}");
        }
    }

    /// The worst inputs the bounds admit must parse on a 2 MiB thread (a tokio
    /// blocking thread's stack) even in a debug build, where frames are largest.
    #[test]
    fn admitted_queries_cannot_overflow_the_stack() {
        let engine = std::sync::Arc::new(engine());
        let nested = format!("{}a{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
        let hidden = format!(
            "{}{}{}",
            "(\")\" ".repeat(MAX_GROUPS),
            "NOT ".repeat(MAX_NOTS),
            "a"
        );
        assert!(check_query(&nested).is_ok() && check_query(&hidden).is_ok());
        let mut inputs = vec![nested, hidden];
        for unit in [
            "a OR ", "a AND ", "-a ", "+a ", "a^2 ", "(a) ", "\"a\" ", "a:b ",
        ] {
            let mut q = unit.repeat(MAX_QUERY_BYTES / unit.len());
            q.push('z');
            q.truncate(MAX_QUERY_BYTES);
            inputs.push(q);
        }
        for q in inputs {
            if check_query(&q).is_err() {
                continue;
            }
            let engine = engine.clone();
            std::thread::Builder::new()
                .stack_size(2 * 1024 * 1024)
                .spawn(move || {
                    let _ = engine.parse(&q);
                })
                .unwrap()
                .join()
                .unwrap();
        }
    }
}
