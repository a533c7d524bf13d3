//! The index schema: one definition, used by the indexer to write and by the
//! search service to read, so the two can never disagree on a field.

use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST, STORED,
    STRING,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer,
};
use tantivy::Index;

/// Tokenizer for prose (titles, abstracts, subjects): folded, lower-cased, English-stemmed.
pub const PROSE_TOKENIZER: &str = "hcs_prose";
/// Tokenizer for names (people, organisations, journals): folded and lower-cased, not stemmed.
pub const NAME_TOKENIZER: &str = "hcs_name";

/// Handles to every field of the schema.
#[derive(Debug, Clone)]
pub struct Fields {
    /// Stable record id (`pmid:…`); the upsert key.
    pub id: Field,
    /// Record type ("publication").
    pub record_type: Field,
    /// Title (full text).
    pub title: Field,
    /// Abstract (full text).
    pub r#abstract: Field,
    /// MeSH descriptors and qualifiers (full text).
    pub mesh: Field,
    /// Keywords (full text).
    pub keywords: Field,
    /// Author names, byline and investigators (full text).
    pub author: Field,
    /// Affiliation strings (full text).
    pub affiliation: Field,
    /// Journal or book title (full text).
    pub journal: Field,
    /// Publication year (range queries and facets).
    pub year: Field,
    /// Publication types, exact (filters and facets).
    pub publication_type: Field,
    /// Journal title, exact (facets).
    pub journal_exact: Field,
    /// Source system, exact (facets).
    pub source: Field,
    /// PubMed id, exact.
    pub pmid: Field,
    /// DOI, exact and lower-cased.
    pub doi: Field,
    /// PubMed Central id, exact.
    pub pmcid: Field,
    /// ORCID iDs of the authors, exact.
    pub orcid: Field,
    /// The canonical record as JSON (stored only).
    pub record: Field,
    /// Normalised title + year + first author (`STRING`): the last-resort duplicate key.
    pub match_key: Field,
    /// `<source>|<source record id>` of every source version merged into the record (`STRING`).
    pub version_key: Field,
    /// Each source's own version of the record, as JSON (stored only): merges are recomputed from these.
    pub versions: Field,
    /// Every PMID, DOI, PMCID and title key of the record paired with each of
    /// the merged record's PMID, DOI and PMCID ([`crate::merge::probe_term`],
    /// `STRING`): the merging sink asks for the records a new version can merge
    /// with, not for every record sharing its key. `None` in an index built
    /// before the field existed, where the sink reads every record sharing a key.
    pub merge_probe: Option<Field>,
    /// Funder of a grant, or the agencies a publication acknowledges, as published (`STRING | FAST`).
    pub funder: Field,
    /// Grant references: a grant's own, and those a publication acknowledges, case-folded (`STRING`).
    pub grant_reference: Field,
    /// The healthcare-scientist tags of the record's people, as JSON (stored only; written by `indexer tag`).
    pub tags: Field,
    /// `roster` when a roster match is accepted, `inferred` when a possible HCS is (`STRING | FAST`).
    pub hcs: Field,
    /// Roster person ids accepted on the record (`STRING`).
    pub hcs_person: Field,
    /// Disciplines of the counted people (`STRING | FAST`).
    pub hcs_discipline: Field,
    /// Divisions of the counted people (`STRING | FAST`).
    pub hcs_division: Field,
    /// Organisations (current names) of the counted people (`STRING | FAST`).
    pub hcs_organisation: Field,
    /// Roles of the counted people: `leadership`, `co_applicant`, `other` on grants;
    /// `author`, `first`, `last`, `corresponding`, `key_author` on publications (`STRING | FAST`).
    pub hcs_role: Field,
    /// Bands of the roster matches on the record: `accept`, `review` (`STRING | FAST`).
    pub hcs_band: Field,
    /// What each counted person is, as `tier|role|` and `tier|role|dimension=value`
    /// terms (role `any` included; dimensions organisation, division, discipline), so
    /// that tier, role and one group filter can be required of the same person (`STRING`).
    pub hcs_person_facts: Field,
}

/// Field names users may write in queries (`title:…`), searched by default when unnamed.
pub const DEFAULT_SEARCH_FIELDS: [&str; 7] = [
    "title",
    "abstract",
    "mesh",
    "keywords",
    "author",
    "affiliation",
    "journal",
];

/// Every field a query may name: the default ones, plus exact identifiers and
/// facets. Internal fields (ids, merge keys, stored JSON, tags) are not here:
/// naming one is refused, so no query can probe what is not published.
pub const QUERYABLE_FIELDS: [&str; 15] = [
    "title",
    "abstract",
    "mesh",
    "keywords",
    "author",
    "affiliation",
    "journal",
    "year",
    "type",
    "source",
    "pmid",
    "doi",
    "pmcid",
    "orcid",
    "funder",
];

/// Fields a query may give a range on (`year:[2015 TO 2020]`, `year:>2020`).
pub const RANGE_FIELDS: [&str; 1] = ["year"];

impl Fields {
    /// Builds the schema and returns it with its field handles.
    pub fn build() -> (Schema, Fields) {
        let mut builder = Schema::builder();
        let prose = text_options(PROSE_TOKENIZER);
        let names = text_options(NAME_TOKENIZER);
        let year = NumericOptions::default().set_indexed().set_fast();
        let fields = Fields {
            id: builder.add_text_field("id", STRING | STORED),
            record_type: builder.add_text_field("record_type", STRING | FAST),
            title: builder.add_text_field("title", prose.clone()),
            r#abstract: builder.add_text_field("abstract", prose.clone()),
            mesh: builder.add_text_field("mesh", prose.clone()),
            keywords: builder.add_text_field("keywords", prose),
            author: builder.add_text_field("author", names.clone()),
            affiliation: builder.add_text_field("affiliation", names.clone()),
            journal: builder.add_text_field("journal", names),
            year: builder.add_u64_field("year", year),
            publication_type: builder.add_text_field("type", STRING | FAST),
            journal_exact: builder.add_text_field("journal_exact", STRING | FAST),
            source: builder.add_text_field("source", STRING | FAST),
            pmid: builder.add_text_field("pmid", STRING),
            doi: builder.add_text_field("doi", STRING),
            pmcid: builder.add_text_field("pmcid", STRING),
            orcid: builder.add_text_field("orcid", STRING),
            record: builder.add_text_field("record", STORED),
            match_key: builder.add_text_field("match_key", STRING),
            version_key: builder.add_text_field("version_key", STRING),
            versions: builder.add_text_field("versions", STORED),
            merge_probe: Some(builder.add_text_field("merge_probe", STRING)),
            funder: builder.add_text_field("funder", STRING | FAST),
            grant_reference: builder.add_text_field("grant_reference", STRING),
            tags: builder.add_text_field("tags", STORED),
            hcs: builder.add_text_field("hcs", STRING | FAST),
            hcs_person: builder.add_text_field("hcs_person", STRING),
            hcs_discipline: builder.add_text_field("hcs_discipline", STRING | FAST),
            hcs_division: builder.add_text_field("hcs_division", STRING | FAST),
            hcs_organisation: builder.add_text_field("hcs_organisation", STRING | FAST),
            hcs_role: builder.add_text_field("hcs_role", STRING | FAST),
            hcs_band: builder.add_text_field("hcs_band", STRING | FAST),
            hcs_person_facts: builder.add_text_field("hcs_person_facts", STRING),
        };
        (builder.build(), fields)
    }

    /// Looks the handles up in an existing index's schema.
    pub fn from_schema(schema: &Schema) -> tantivy::Result<Fields> {
        let get = |name: &str| schema.get_field(name);
        Ok(Fields {
            id: get("id")?,
            record_type: get("record_type")?,
            title: get("title")?,
            r#abstract: get("abstract")?,
            mesh: get("mesh")?,
            keywords: get("keywords")?,
            author: get("author")?,
            affiliation: get("affiliation")?,
            journal: get("journal")?,
            year: get("year")?,
            publication_type: get("type")?,
            journal_exact: get("journal_exact")?,
            source: get("source")?,
            pmid: get("pmid")?,
            doi: get("doi")?,
            pmcid: get("pmcid")?,
            orcid: get("orcid")?,
            record: get("record")?,
            match_key: get("match_key")?,
            version_key: get("version_key")?,
            versions: get("versions")?,
            // Optional: an older index still opens, and merges there take the slower path.
            merge_probe: get("merge_probe").ok(),
            funder: get("funder")?,
            grant_reference: get("grant_reference")?,
            tags: get("tags")?,
            hcs: get("hcs")?,
            hcs_person: get("hcs_person")?,
            hcs_discipline: get("hcs_discipline")?,
            hcs_division: get("hcs_division")?,
            hcs_organisation: get("hcs_organisation")?,
            hcs_role: get("hcs_role")?,
            hcs_band: get("hcs_band")?,
            hcs_person_facts: get("hcs_person_facts")?,
        })
    }
}

/// The schema indexes were built with before `merge_probe`: the current one
/// without it. The indexer still writes to such an index (its merges read
/// every record sharing a key, as they did), and the service still reads it.
pub fn previous_schema() -> Schema {
    let (schema, _) = Fields::build();
    let mut builder = Schema::builder();
    for (_, entry) in schema.fields() {
        if entry.name() != "merge_probe" {
            builder.add_field(entry.clone());
        }
    }
    builder.build()
}

fn text_options(tokenizer: &str) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

/// Registers the project's tokenizers; every opened index needs this before use.
pub fn register_tokenizers(index: &Index) {
    let prose = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(64))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build();
    let names = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(64))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build();
    index.tokenizers().register(PROSE_TOKENIZER, prose);
    index.tokenizers().register(NAME_TOKENIZER, names);
}
