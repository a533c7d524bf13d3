//! The query string before tantivy sees it: bounds that keep the recursive
//! parser safe, light normalisation of everyday text, and plain-language hints
//! for syntax errors.

/// Longest accepted query, in bytes (checked before parsing).
pub const MAX_QUERY_BYTES: usize = 1024;

/// Deepest accepted parenthesis nesting (checked before parsing: tantivy's parser recurses).
pub const MAX_NESTING: usize = 16;

/// Most opening parentheses accepted in one query, nested or not.
pub const MAX_GROUPS: usize = 64;

/// Most `NOT` operators accepted in one query (each one is a level of recursion).
pub const MAX_NOTS: usize = 16;

/// A query string that was refused, with a sentence saying why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// Longer than [`MAX_QUERY_BYTES`].
    #[error("the query is {len} bytes long; the limit is {max} bytes")]
    TooLong {
        /// Length of the query in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Parentheses nested deeper than [`MAX_NESTING`].
    #[error("the query nests parentheses {depth} levels deep; the limit is {max}")]
    TooDeep {
        /// Deepest nesting found.
        depth: usize,
        /// The limit.
        max: usize,
    },
    /// More than [`MAX_GROUPS`] opening parentheses.
    #[error("the query has {count} opening parentheses; the limit is {max}")]
    TooManyGroups {
        /// Number of `(` in the query.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// More than [`MAX_NOTS`] `NOT` operators.
    #[error("the query has {count} NOT operators; the limit is {max}")]
    TooManyNots {
        /// Number of `NOT` in the query.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A control character other than tab, CR or LF.
    #[error("the query contains a control character (U+{code:04X}) at byte {position}")]
    ControlCharacter {
        /// Byte offset of the character.
        position: usize,
        /// Its code point.
        code: u32,
    },
    /// The query's structure is malformed (quotes, parentheses, operators); the message says where.
    #[error("{0}")]
    Syntax(String),
    /// The query names a field that does not exist or may not be searched.
    #[error(
        "the query names field '{field}', which cannot be searched; searchable fields are {fields}"
    )]
    UnknownField {
        /// The field as written.
        field: String,
        /// The fields that can be searched, comma-separated.
        fields: String,
    },
    /// A form the service does not support (`field:*`, a range outside `year`, a regex).
    #[error("{what}")]
    Unsupported {
        /// The field it was used on, when one was named.
        field: Option<String>,
        /// What is not supported and what to write instead.
        what: String,
    },
    /// tantivy could not interpret the query; the message names the problem.
    #[error("{0}")]
    Invalid(String),
}

/// Refuses queries that could exhaust the parser: too long, too deeply nested, control characters.
///
/// tantivy's query parser is recursive and has no depth limit; a few hundred nested
/// parentheses overflow a thread stack and abort the whole process. The counts here
/// ignore quoting on purpose, so quoted text can never hide nesting from the check.
pub fn check_query(q: &str) -> Result<(), QueryError> {
    if q.len() > MAX_QUERY_BYTES {
        return Err(QueryError::TooLong {
            len: q.len(),
            max: MAX_QUERY_BYTES,
        });
    }
    if let Some((position, c)) = q
        .char_indices()
        .find(|&(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err(QueryError::ControlCharacter {
            position,
            code: u32::from(c),
        });
    }
    let (mut depth, mut deepest, mut groups) = (0usize, 0usize, 0usize);
    for c in q.chars() {
        match c {
            '(' => {
                depth += 1;
                groups += 1;
                deepest = deepest.max(depth);
            }
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if deepest > MAX_NESTING {
        return Err(QueryError::TooDeep {
            depth: deepest,
            max: MAX_NESTING,
        });
    }
    if groups > MAX_GROUPS {
        return Err(QueryError::TooManyGroups {
            count: groups,
            max: MAX_GROUPS,
        });
    }
    let nots = q
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|word| *word == "NOT")
        .count();
    if nots > MAX_NOTS {
        return Err(QueryError::TooManyNots {
            count: nots,
            max: MAX_NOTS,
        });
    }
    Ok(())
}

/// Makes everyday text parse as people mean it: tabs and newlines become spaces, and
/// apostrophes inside or ending words (`Crohn's`, `patients'`) are escaped so they do
/// not open a single-quoted phrase.
pub fn normalize_query(q: &str) -> String {
    let chars: Vec<char> = q.chars().collect();
    let mut out = String::with_capacity(q.len() + 8);
    let (mut in_double, mut in_single, mut escaped) = (false, false, false);
    for (i, &c) in chars.iter().enumerate() {
        let previous_is_word = i > 0 && chars[i - 1].is_alphanumeric();
        let next_is_word = chars.get(i + 1).is_some_and(|c| c.is_alphanumeric());
        if escaped {
            escaped = false;
            out.push(c);
            continue;
        }
        match c {
            '\t' | '\n' | '\r' => out.push(' '),
            '\\' => {
                escaped = true;
                out.push(c);
            }
            '"' if !in_single => {
                in_double = !in_double;
                out.push(c);
            }
            '\'' if !in_double => {
                if in_single && !(previous_is_word && next_is_word) {
                    in_single = false;
                    out.push(c);
                } else if previous_is_word {
                    out.push_str("\\'");
                } else {
                    in_single = true;
                    out.push(c);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// Names the likely cause of a syntax error in `q`.
pub(super) fn syntax_hint(q: &str) -> String {
    let unescaped = |wanted: char| {
        let mut count = 0;
        let mut escaped = false;
        for c in q.chars() {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == wanted {
                count += 1;
            }
        }
        count
    };
    if unescaped('"') % 2 == 1 {
        return "the query has an unclosed double quote (\")".to_owned();
    }
    if unescaped('(') != unescaped(')') {
        return "the query has unbalanced parentheses".to_owned();
    }
    if unescaped('[') + unescaped('{') != unescaped(']') + unescaped('}') {
        return "the query has an unclosed range; write ranges as year:[2015 TO 2020]".to_owned();
    }
    if let Some(field) = field_without_value(q) {
        return format!("field '{field}' has no value after the colon; write e.g. {field}:value");
    }
    let words: Vec<&str> = q.split_whitespace().collect();
    for operator in ["AND", "OR", "NOT"] {
        if words.last() == Some(&operator) {
            return format!("the query ends with the operator {operator}; add a term after it");
        }
        if operator != "NOT" && words.first() == Some(&operator) {
            return format!("the query starts with the operator {operator}; add a term before it");
        }
    }
    if words.iter().any(|w| matches!(*w, "+" | "-")) {
        return "a + or - in the query is not attached to a term; write +term or -term".to_owned();
    }
    "the query has a syntax error; check quotes, parentheses and field:value pairs \
     (escape special characters with \\)"
        .to_owned()
}

/// The field name of a `field:` with nothing after the colon, if there is one.
fn field_without_value(q: &str) -> Option<&str> {
    let bytes = q.as_bytes();
    for (i, _) in q.match_indices(':') {
        let rest = &q[i + 1..];
        if !(rest.trim_start().is_empty() || rest.trim_start().starts_with(')')) {
            continue;
        }
        let start = q[..i]
            .rfind(|c: char| c.is_whitespace() || c == '(' || c == '+' || c == '-')
            .map_or(0, |p| p + 1);
        if start < i && bytes[start].is_ascii_alphabetic() {
            return Some(&q[start..i]);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_checked_before_parsing() {
        assert!(check_query("heart (failure OR attack)").is_ok());
        let deep = format!("{}a{}", "(".repeat(17), ")".repeat(17));
        assert!(matches!(
            check_query(&deep),
            Err(QueryError::TooDeep { depth: 17, .. })
        ));
        assert!(matches!(
            check_query(&"a".repeat(MAX_QUERY_BYTES + 1)),
            Err(QueryError::TooLong { .. })
        ));
        assert!(matches!(
            check_query("a\0b"),
            Err(QueryError::ControlCharacter { position: 1, .. })
        ));
        assert!(check_query("a\tb\nc").is_ok());
        // Quoted closing parentheses cannot hide nesting.
        let hidden = "( \")\" ".repeat(65);
        assert!(matches!(
            check_query(&hidden),
            Err(QueryError::TooManyGroups { .. })
        ));
        assert!(matches!(
            check_query(&"NOT ".repeat(17)),
            Err(QueryError::TooManyNots { .. })
        ));
    }

    #[test]
    fn apostrophes_in_words_are_escaped() {
        assert_eq!(normalize_query("Crohn's disease"), "Crohn\\'s disease");
        assert_eq!(normalize_query("patients' views"), "patients\\' views");
        assert_eq!(normalize_query("'heart failure'"), "'heart failure'");
        assert_eq!(normalize_query("\"Crohn's\""), "\"Crohn's\"");
        assert_eq!(normalize_query("a\tb\nc"), "a b c");
    }

    #[test]
    fn hints_name_the_problem() {
        assert!(syntax_hint("\"unclosed").contains("double quote"));
        assert!(syntax_hint("(a").contains("parentheses"));
        assert!(syntax_hint("title:").contains("'title'"));
        assert!(syntax_hint("year:[2020 TO").contains("range"));
        assert!(syntax_hint("a AND").contains("AND"));
    }
}
