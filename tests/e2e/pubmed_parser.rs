//! The PubMed parser on real fixture files and on hand-made broken input.

use indexer::records::PublicationKind;
use indexer::sources::pubmed::PubmedError;

use crate::support::{by_pmid, parse_fixture, parse_str, pubmed_record_files};

#[test]
fn truncated_baseline_keeps_every_complete_record_and_names_the_fault() {
    let parsed = parse_fixture("pubmed/bulk/pubmed23n0001_truncated-upstream.xml.gz");
    // 266 complete records (PMIDs 1–266), then record 267 is cut mid-ReferenceList.
    assert_eq!(parsed.publications.len(), 266);
    let mut pmids: Vec<u32> = parsed
        .publications
        .iter()
        .map(|p| p.identifiers.pmid.as_deref().unwrap().parse().unwrap())
        .collect();
    pmids.sort_unstable();
    assert_eq!(pmids, (1..=266).collect::<Vec<_>>());
    let last_pmid = parsed.publications.last().unwrap().identifiers.pmid.clone();
    match parsed.fatal.expect("the truncation is reported") {
        PubmedError::Truncated {
            location,
            offset,
            last_good_pmid,
            message,
        } => {
            assert!(location.ends_with("pubmed23n0001_truncated-upstream.xml.gz"));
            assert_eq!(last_good_pmid, last_pmid);
            // The gzip stream stops after 2,009,329 bytes of XML.
            assert!((1_900_000..=2_009_329).contains(&offset), "offset {offset}");
            assert!(
                message.contains("incomplete") || message.contains("end"),
                "{message}"
            );
        }
        other => panic!("expected Truncated, got {other:?}"),
    }
}

#[test]
fn truncated_error_message_names_file_offset_and_last_pmid() {
    let parsed = parse_fixture("pubmed/bulk/pubmed23n0001_truncated-upstream.xml.gz");
    let message = parsed.fatal.unwrap().to_string();
    assert!(
        message.contains("pubmed23n0001_truncated-upstream.xml.gz"),
        "{message}"
    );
    assert!(message.contains("truncated at byte "), "{message}");
    assert!(message.contains("PMID 266"), "{message}");
}

#[test]
fn legacy_medline_citation_set_and_delete_citation() {
    let parsed = parse_fixture("pubmed/bulk/medline16n0902.xml.gz");
    assert!(parsed.fatal.is_none(), "{:?}", parsed.fatal);
    assert!(parsed.skipped.is_empty(), "{:?}", parsed.skipped);
    assert_eq!(parsed.publications.len(), 604);
    assert_eq!(parsed.deleted, vec!["26432306".to_owned()]);
    let first = by_pmid(&parsed, "17942999");
    assert_eq!(
        first.title,
        "Neuroplasticity in the processing of pitch dimensions: a multidimensional scaling analysis of the mismatch negativity."
    );
    assert_eq!(first.published.as_ref().unwrap().year, 2007);
    let sections = &first.r#abstract.as_ref().unwrap().sections;
    assert_eq!(sections[0].label.as_deref(), Some("PURPOSE"));
    assert_eq!(sections[0].category.as_deref(), Some("OBJECTIVE"));
    assert_eq!(first.status.as_deref(), Some("MEDLINE"));
}

#[test]
fn book_article_maps_chapter_authors_and_book_title() {
    let parsed = parse_fixture("pubmed/efetch/metapub/other/sample_article_20301577.xml");
    let book = by_pmid(&parsed, "20301577");
    assert_eq!(book.kind, PublicationKind::Book);
    // <i>CACNA1C</i>-Related Disorders: markup dropped, no space invented.
    assert_eq!(book.title, "CACNA1C-Related Disorders");
    assert_eq!(book.journal.as_ref().unwrap().title, "GeneReviews®");
    let names: Vec<_> = book
        .authors
        .iter()
        .map(|a| a.family.as_deref().unwrap())
        .collect();
    // The book's editors (Adam, Feldman, …) are not the chapter's authors.
    assert_eq!(names, ["Napolitano", "Priori"]);
    assert_eq!(book.authors[0].affiliations.len(), 2);
    assert_eq!(book.published.as_ref().unwrap().year, 1993);
    assert!(book
        .identifiers
        .other
        .iter()
        .any(|id| id.kind == "bookaccession" && id.value == "NBK1403"));
    assert_eq!(book.publication_types, ["Review"]);
}

#[test]
fn medline_dates_keep_the_raw_text_and_the_year() {
    let parsed = parse_fixture("pubmed/nlm-sample/pubmedsample18n0001.xml.gz");
    assert_eq!(parsed.publications.len(), 177);
    let record = by_pmid(&parsed, "10188493");
    assert_eq!(record.published.as_ref().unwrap().year, 1998);
    assert_eq!(record.published.as_ref().unwrap().month, Some(12));
    assert_eq!(
        record.published.as_ref().unwrap().raw.as_deref(),
        Some("1998 Dec-1999 Jan")
    );
    assert_eq!(
        by_pmid(&parsed, "8219565")
            .published
            .as_ref()
            .unwrap()
            .raw
            .as_deref(),
        Some("1993 Sep-Oct")
    );
}

#[test]
fn group_author_members_are_kept_apart_from_the_byline() {
    let parsed = parse_fixture("pubmed/nlm-sample/pubmedsample18n0001.xml.gz");
    let record = by_pmid(&parsed, "10097079");
    assert_eq!(record.authors.len(), 6);
    // Woese is on the byline and, separately, the group's only listed member.
    assert_eq!(record.authors[4].family.as_deref(), Some("Woese"));
    assert_eq!(record.investigators.len(), 1);
    assert_eq!(record.investigators[0].family.as_deref(), Some("Woese"));
    assert_eq!(record.investigators[0].position, 1);
}

#[test]
fn ids_come_from_the_record_not_its_reference_list() {
    let parsed = parse_fixture("pubmed/efetch/metapub/other/pmid_28731372.xml");
    let record = by_pmid(&parsed, "28731372");
    assert_eq!(record.identifiers.pmcid.as_deref(), Some("PMC6108041"));
    assert_eq!(
        record.identifiers.doi.as_deref(),
        Some("10.1177/1352458517722646")
    );
    assert_eq!(record.id, "pmid:28731372");
}

#[test]
fn every_fixture_parses_without_loss_and_emails_leave_affiliations() {
    let mut records = 0;
    let mut emails = 0;
    let mut orcids = 0;
    for file in pubmed_record_files() {
        let parsed = crate::support::drain(indexer::sources::pubmed::open_path(&file).unwrap());
        let name = file.display().to_string();
        let truncated = name.ends_with("truncated-upstream.xml.gz");
        assert_eq!(
            parsed.fatal.is_some(),
            truncated,
            "{name}: {:?}",
            parsed.fatal
        );
        assert!(parsed.skipped.is_empty(), "{name}: {:?}", parsed.skipped);
        for publication in &parsed.publications {
            records += 1;
            assert!(
                publication.published.as_ref().unwrap().year >= 1900,
                "{}",
                publication.id
            );
            for author in publication.authors.iter().chain(&publication.investigators) {
                for affiliation in &author.affiliations {
                    assert!(
                        !looks_like_email_address(affiliation),
                        "{}: address left in {affiliation:?}",
                        publication.id
                    );
                    assert!(!affiliation.to_lowercase().contains("electronic address"));
                }
                if let Some(orcid) = &author.orcid {
                    orcids += 1;
                    assert_eq!(orcid.len(), 19, "{orcid}");
                    assert!(orcid.bytes().filter(|b| *b == b'-').count() == 3);
                }
                emails += usize::from(author.email.is_some());
            }
        }
    }
    // 1,733 records across the fixtures; the oracle counts the same.
    assert_eq!(records, 1733);
    // All 470 ORCID iDs in the fixtures are valid, in any of their three spellings.
    assert_eq!(orcids, 470);
    assert!(emails >= 400, "only {emails} e-mail addresses found");
}

/// A word with an `@` followed by a dotted domain ("EduCity@Iskandar" is a place name).
fn looks_like_email_address(text: &str) -> bool {
    text.split_whitespace().any(|word| {
        let word = word.trim_end_matches(['.', ',', ';', ')']);
        word.split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
    })
}

#[test]
fn inline_markup_entities_and_mathml_keep_their_text() {
    let xml = r#"<?xml version="1.0"?>
<PubmedArticleSet><PubmedArticle><MedlineCitation Status="MEDLINE"><PMID Version="1">1</PMID>
<Article><Journal><JournalIssue><PubDate><Year>2020</Year><Season>Spring</Season></PubDate></JournalIssue><Title>J</Title></Journal>
<ArticleTitle>H<sub>2</sub>O and <i>E. coli</i> in Caf&eacute;s &amp; &#x3b1;-waves:
   <mml:math xmlns:mml="http://www.w3.org/1998/Math/MathML"><mml:mi>x</mml:mi><mml:mo>+</mml:mo><mml:mn>1</mml:mn></mml:math></ArticleTitle>
<Abstract><AbstractText><![CDATA[raw <text>]]> &nbsp;ok</AbstractText></Abstract>
<AuthorList><Author EqualContrib="Y"><LastName>Ó Súilleabháin</LastName><ForeName>Aoife</ForeName><Initials>A</Initials>
<Identifier Source="ORCID">http://orcid.org/0000000218250097</Identifier>
<AffiliationInfo><Affiliation>Medical Physics, Velindre Cancer Centre, Cardiff, UK. Electronic address: aoife@wales.nhs.uk.</Affiliation></AffiliationInfo>
</Author></AuthorList></Article></MedlineCitation>
<PubmedData><ArticleIdList><ArticleId IdType="doi">10.1/ABC</ArticleId></ArticleIdList>
<ReferenceList><Reference><ArticleIdList><ArticleId IdType="doi">10.9/cited</ArticleId></ArticleIdList></Reference></ReferenceList></PubmedData>
</PubmedArticle></PubmedArticleSet>"#;
    let parsed = parse_str(xml);
    assert!(parsed.fatal.is_none(), "{:?}", parsed.fatal);
    let record = &parsed.publications[0];
    assert_eq!(record.title, "H2O and E. coli in Cafés & α-waves: x+1");
    assert_eq!(
        record.r#abstract.as_ref().unwrap().sections[0].text,
        "raw <text> ok"
    );
    assert_eq!(
        record.published.as_ref().unwrap().season.as_deref(),
        Some("Spring")
    );
    let author = &record.authors[0];
    assert_eq!(author.family.as_deref(), Some("Ó Súilleabháin"));
    assert_eq!(author.orcid.as_deref(), Some("0000-0002-1825-0097"));
    assert_eq!(author.email.as_deref(), Some("aoife@wales.nhs.uk"));
    assert_eq!(
        author.affiliations,
        ["Medical Physics, Velindre Cancer Centre, Cardiff, UK."]
    );
    assert!(author.equal_contribution);
    assert_eq!(record.identifiers.doi.as_deref(), Some("10.1/abc"));
}

const GOOD_RECORD: &str = r#"<PubmedArticle><MedlineCitation><PMID>11</PMID><Article><Journal><JournalIssue><PubDate><Year>2021</Year></PubDate></JournalIssue></Journal><ArticleTitle>Good</ArticleTitle></Article></MedlineCitation></PubmedArticle>"#;

#[test]
fn malformed_xml_keeps_records_before_the_fault() {
    let xml = format!(
        "<PubmedArticleSet>{GOOD_RECORD}<PubmedArticle><MedlineCitation><PMID>12</PMID><Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"
    );
    let parsed = parse_str(&xml);
    assert_eq!(parsed.publications.len(), 1);
    match parsed.fatal.expect("mismatched tags are fatal") {
        PubmedError::Malformed {
            offset,
            last_good_pmid,
            message,
            ..
        } => {
            assert_eq!(last_good_pmid.as_deref(), Some("11"));
            assert!(offset > GOOD_RECORD.len() as u64, "offset {offset}");
            assert!(message.contains("PMID 12"), "{message}");
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
}

#[test]
fn a_document_cut_mid_record_is_truncated_not_complete() {
    let xml =
        format!("<PubmedArticleSet>{GOOD_RECORD}<PubmedArticle><MedlineCitation><PMID>12</PMID>");
    let parsed = parse_str(&xml);
    assert_eq!(parsed.publications.len(), 1);
    let error = parsed.fatal.expect("truncation is reported");
    assert!(matches!(error, PubmedError::Truncated { .. }), "{error:?}");
    assert!(error.to_string().contains("after PMID 11"), "{error}");
}

#[test]
fn a_record_without_a_pmid_is_skipped_and_its_neighbours_kept() {
    let no_pmid = "<PubmedArticle><MedlineCitation><Article><ArticleTitle>No id</ArticleTitle></Article></MedlineCitation></PubmedArticle>";
    let no_year = "<PubmedArticle><MedlineCitation><PMID>13</PMID><Article><ArticleTitle>No year</ArticleTitle></Article></MedlineCitation></PubmedArticle>";
    let xml = format!("<PubmedArticleSet>{no_pmid}{GOOD_RECORD}{no_year}</PubmedArticleSet>");
    let parsed = parse_str(&xml);
    assert!(parsed.fatal.is_none());
    assert_eq!(parsed.skipped.len(), 1);
    assert!(parsed.skipped[0].to_string().contains("no PMID"));
    // A record with no date at all is kept, undated: it still counts.
    assert_eq!(parsed.publications.len(), 2);
    assert_eq!(
        parsed.publications[1].identifiers.pmid.as_deref(),
        Some("13")
    );
    assert_eq!(parsed.publications[1].published, None);
}

#[test]
fn other_documents_are_not_mistaken_for_pubmed() {
    let parsed = parse_fixture("pubmed/eutils/biopython/esearch1.xml");
    let error = parsed.fatal.expect("an esearch response is not PubMed XML");
    assert!(matches!(error, PubmedError::NotPubmed { .. }), "{error:?}");
    assert!(error.to_string().contains("eSearchResult"), "{error}");
    for garbage in ["", "not xml at all", "<a><b></a>"] {
        let parsed = parse_str(garbage);
        assert!(parsed.publications.is_empty());
        assert!(parsed.fatal.is_some(), "{garbage:?} must be an error");
    }
}
