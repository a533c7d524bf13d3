//! The boolean structure of a query, parsed here rather than by tantivy.
//!
//! tantivy's grammar loses the grouping of mixed operators (`a OR b c`
//! becomes three sibling clauses, of which only `c` is then required) and
//! turns `a AND NOT b` into a required clause that only excludes, which
//! matches nothing. So the operators are parsed here, with the usual
//! precedence — `NOT` and `-` bind tightest, then `AND` (written, or implied
//! by a space), then `OR` — and each leaf (a term, a phrase, `field:value`, a
//! range, a set) goes to tantivy's own grammar. Negation means set
//! complement: `NOT b` alone is everything but `b`, `a OR NOT b` is `a` or
//! anything without `b`.
//!
//! Every field a leaf names is checked here too, before tantivy sees it: an
//! unknown field, an internal one, a `field:*` or a range outside `year` is a
//! [`QueryError`] naming the field, never a failure at search time.

use tantivy::query_grammar::{self, Occur, UserInputAst, UserInputLeaf};

use super::syntax::QueryError;

/// Fields a query may name, with what each allows.
#[derive(Debug, Clone)]
pub struct QueryFields {
    names: Vec<&'static str>,
    ranged: Vec<&'static str>,
}

impl QueryFields {
    /// The allow-list: `names` may be named in `field:value`; `ranged` also take ranges.
    pub fn new(names: Vec<&'static str>, ranged: Vec<&'static str>) -> Self {
        Self { names, ranged }
    }

    /// The fields a query may name, for messages.
    pub fn names(&self) -> &[&'static str] {
        &self.names
    }

    fn check(&self, leaf: &UserInputLeaf) -> Result<(), QueryError> {
        let known = |field: &str| -> Result<(), QueryError> {
            if self.names.contains(&field) {
                Ok(())
            } else {
                Err(QueryError::UnknownField {
                    field: field.to_owned(),
                    fields: self.names.join(", "),
                })
            }
        };
        match leaf {
            UserInputLeaf::All => Ok(()),
            UserInputLeaf::Literal(literal) => literal.field_name.as_deref().map_or(Ok(()), known),
            UserInputLeaf::Set { field, .. } => field.as_deref().map_or(Ok(()), known),
            UserInputLeaf::Range { field: None, .. } => Err(QueryError::Unsupported {
                field: None,
                what: "a range needs a field; write e.g. year:[2015 TO 2020]".into(),
            }),
            UserInputLeaf::Range {
                field: Some(field), ..
            } => {
                known(field)?;
                if self.ranged.contains(&field.as_str()) {
                    Ok(())
                } else {
                    Err(QueryError::Unsupported {
                        field: Some(field.clone()),
                        what: format!(
                            "a range on field '{field}' is not supported: ranges work on {} \
                             only; search {field} for words or phrases",
                            self.ranged.join(", ")
                        ),
                    })
                }
            }
            UserInputLeaf::Exists { field } => {
                known(field)?;
                Err(QueryError::Unsupported {
                    field: Some(field.clone()),
                    what: format!(
                        "{field}:* (field '{field}' with any value) is not supported; search \
                         {field} for a word, or leave q empty to browse everything"
                    ),
                })
            }
            UserInputLeaf::Regex { field, .. } => Err(QueryError::Unsupported {
                field: field.clone(),
                what: "regular expressions are not supported".into(),
            }),
        }
    }
}

/// The outcome of a parse: the AST for tantivy (`None`: no terms at all, match everything)
/// and, in lenient mode, what was dropped.
#[derive(Debug)]
pub struct Parsed {
    /// What tantivy should build; `None` when the query has no terms.
    pub ast: Option<UserInputAst>,
    /// One sentence per part dropped (lenient mode only).
    pub warnings: Vec<String>,
}

/// Parses `q` (already bounds-checked and normalised) into a tantivy AST.
///
/// Strict mode refuses the first problem; lenient mode drops what it cannot
/// read, says so in the warnings, and searches the rest.
pub fn parse(q: &str, fields: &QueryFields, lenient: bool) -> Result<Parsed, QueryError> {
    let mut state = Parser {
        tokens: lex(q, lenient)?,
        at: 0,
        lenient,
        warnings: Vec::new(),
        fields,
    };
    let mut expr = state.or_expr()?;
    while state.at < state.tokens.len() {
        // Only a stray `)` stops an expression before the end.
        state.problem(QueryError::Syntax(
            "the query has unbalanced parentheses (a ')' without its '(')".into(),
        ))?;
        state.at += 1;
        let rest = state.or_expr()?;
        expr = join(expr.into_iter().chain(rest).collect(), Expr::And);
    }
    let lowered = match expr {
        Some(expr) => state.lower(expr, None)?,
        None => None,
    };
    let warnings = std::mem::take(&mut state.warnings);
    let ast = match lowered {
        Some(Part::Positive(ast)) => Some(ast),
        Some(Part::Negative(ast)) => Some(everything_but(ast)),
        // Everything was dropped: match nothing rather than everything.
        None if !warnings.is_empty() => Some(UserInputAst::empty_query()),
        None => None,
    };
    Ok(Parsed { ast, warnings })
}

/// A lexical unit of the query.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    /// `)^2`: a boost on the group just closed.
    Boost(f64),
    And,
    Or,
    Not,
    /// `+` attached to the next unit.
    Plus,
    /// `-` attached to the next unit.
    Minus,
    /// `field:(` opening a group whose unnamed terms search that field.
    FieldOpen(String),
    /// A term, phrase, `field:value`, range or set, as written.
    Leaf(String),
}

fn lex(q: &str, lenient: bool) -> Result<Vec<Token>, QueryError> {
    let chars: Vec<char> = q.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        match c {
            '(' => {
                tokens.push(Token::Open);
                i += 1;
            }
            ')' => {
                tokens.push(Token::Close);
                i += 1;
                if chars.get(i) == Some(&'^') {
                    let start = i + 1;
                    let mut end = start;
                    while end < chars.len() && (chars[end].is_ascii_digit() || chars[end] == '.') {
                        end += 1;
                    }
                    let text: String = chars[start..end].iter().collect();
                    match text.parse::<f64>() {
                        Ok(boost) if boost.is_finite() => tokens.push(Token::Boost(boost)),
                        _ if lenient => {}
                        _ => {
                            return Err(QueryError::Syntax(
                                "a boost after ')' must be a number, e.g. (heart failure)^2".into(),
                            ))
                        }
                    }
                    i = end;
                }
            }
            '+' | '-' if chars.get(i + 1).is_some_and(|next| !next.is_whitespace()) => {
                tokens.push(if c == '+' { Token::Plus } else { Token::Minus });
                i += 1;
            }
            '+' | '-' => {
                if !lenient {
                    return Err(QueryError::Syntax(
                        "a + or - in the query is not attached to a term; write +term or -term"
                            .into(),
                    ));
                }
                i += 1;
            }
            _ => {
                let (token, next) = leaf(&chars, i, lenient)?;
                tokens.push(token);
                i = next;
            }
        }
    }
    Ok(tokens)
}

/// Reads one leaf starting at `start`; returns it and the index after it.
fn leaf(chars: &[char], start: usize, lenient: bool) -> Result<(Token, usize), QueryError> {
    let mut text = String::new();
    let mut i = start;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                text.push(c);
                if let Some(&next) = chars.get(i + 1) {
                    text.push(next);
                }
                i += 2;
            }
            '"' | '\'' => {
                // A phrase: to the matching unescaped quote.
                text.push(c);
                i += 1;
                let mut closed = false;
                while i < chars.len() {
                    let inner = chars[i];
                    text.push(inner);
                    i += 1;
                    if inner == '\\' {
                        if let Some(&next) = chars.get(i) {
                            text.push(next);
                            i += 1;
                        }
                    } else if inner == c {
                        closed = true;
                        break;
                    }
                }
                if !closed {
                    if !lenient {
                        return Err(QueryError::Syntax(if c == '"' {
                            "the query has an unclosed double quote (\")".into()
                        } else {
                            "the query has an unclosed single quote (')".into()
                        }));
                    }
                    text.push(c);
                }
            }
            '[' | '{' => {
                // A range, to its closing bracket (it holds spaces: `[2015 TO 2020]`).
                let mut closed = false;
                while i < chars.len() {
                    let inner = chars[i];
                    text.push(inner);
                    i += 1;
                    if inner == ']' || inner == '}' {
                        closed = true;
                        break;
                    }
                }
                if !closed {
                    return Err(QueryError::Syntax(
                        "the query has an unclosed range; write ranges as year:[2015 TO 2020]"
                            .into(),
                    ));
                }
            }
            ':' => {
                text.push(c);
                i += 1;
                // `field: value` and `field: IN [a b]` are written with spaces.
                let mut after = i;
                while after < chars.len() && chars[after].is_whitespace() {
                    after += 1;
                }
                if chars.get(after) == Some(&'(') {
                    let field = text.trim_end_matches(':').to_owned();
                    return Ok((Token::FieldOpen(field), after + 1));
                }
                let rest: String = chars[after..].iter().take(3).collect();
                if rest == "IN " || rest == "IN[" {
                    text.push_str(" IN ");
                    i = after + 2;
                    while i < chars.len() && chars[i].is_whitespace() {
                        i += 1;
                    }
                } else if after < chars.len() && after > i && !matches!(chars[after], ')') {
                    i = after;
                }
            }
            c if c.is_whitespace() || c == '(' || c == ')' => break,
            _ => {
                text.push(c);
                i += 1;
            }
        }
    }
    let token = match text.as_str() {
        "AND" => Token::And,
        "OR" => Token::Or,
        "NOT" => Token::Not,
        _ => Token::Leaf(text),
    };
    Ok((token, i))
}

/// The boolean structure, before the leaves are handed to tantivy.
#[derive(Debug)]
enum Expr {
    Leaf(String),
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Boost(Box<Expr>, f64),
    /// `field:( … )`: unnamed terms inside search `field`.
    Field(String, Box<Expr>),
}

/// A lowered expression: what it matches, or what it excludes from everything.
enum Part {
    Positive(UserInputAst),
    Negative(UserInputAst),
}

struct Parser<'a> {
    tokens: Vec<Token>,
    at: usize,
    lenient: bool,
    warnings: Vec<String>,
    fields: &'a QueryFields,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    /// Refuses in strict mode; in lenient mode records the problem and goes on.
    fn problem(&mut self, error: QueryError) -> Result<(), QueryError> {
        if self.lenient {
            self.warnings
                .push(format!("{error}; that part was dropped"));
            Ok(())
        } else {
            Err(error)
        }
    }

    fn or_expr(&mut self) -> Result<Option<Expr>, QueryError> {
        let mut items = Vec::new();
        if let Some(first) = self.and_expr()? {
            items.push(first);
        }
        while self.peek() == Some(&Token::Or) {
            self.at += 1;
            if items.is_empty() {
                self.problem(operator_without_term("OR", "starts with"))?;
            }
            match self.and_expr()? {
                Some(next) => items.push(next),
                None => self.problem(operator_without_term("OR", "ends with"))?,
            }
        }
        Ok(join(items, Expr::Or))
    }

    fn and_expr(&mut self) -> Result<Option<Expr>, QueryError> {
        let mut items = Vec::new();
        loop {
            match self.peek() {
                None | Some(Token::Or) | Some(Token::Close) => break,
                Some(Token::And) => {
                    self.at += 1;
                    if items.is_empty() {
                        self.problem(operator_without_term("AND", "starts with"))?;
                    }
                    match self.unary()? {
                        Some(next) => items.push(next),
                        None => self.problem(operator_without_term("AND", "ends with"))?,
                    }
                }
                Some(_) => {
                    if let Some(next) = self.unary()? {
                        items.push(next);
                    }
                }
            }
        }
        Ok(join(items, Expr::And))
    }

    /// `NOT x`, `-x`, `+x` or a primary; repeated signs collapse, so a chain
    /// of them never deepens the query.
    fn unary(&mut self) -> Result<Option<Expr>, QueryError> {
        let mut negated = false;
        let mut signed = false;
        while let Some(token) = self.peek() {
            match token {
                Token::Not | Token::Minus => negated = !negated,
                Token::Plus => {}
                _ => break,
            }
            signed = true;
            self.at += 1;
        }
        let operand = self.primary()?;
        match operand {
            None if signed => {
                self.problem(operator_without_term("NOT", "ends with"))?;
                Ok(None)
            }
            None => Ok(None),
            Some(expr) if negated => Ok(Some(Expr::Not(Box::new(expr)))),
            Some(expr) => Ok(Some(expr)),
        }
    }

    fn primary(&mut self) -> Result<Option<Expr>, QueryError> {
        let Some(token) = self.peek().cloned() else {
            return Ok(None);
        };
        match token {
            Token::Leaf(text) => {
                self.at += 1;
                Ok(Some(Expr::Leaf(text)))
            }
            Token::Open | Token::FieldOpen(_) => {
                self.at += 1;
                let inner = self.or_expr()?;
                match self.peek() {
                    Some(Token::Close) => self.at += 1,
                    _ => self.problem(QueryError::Syntax(
                        "the query has unbalanced parentheses (a '(' without its ')')".into(),
                    ))?,
                }
                let boost = match self.peek() {
                    Some(Token::Boost(boost)) => {
                        let boost = *boost;
                        self.at += 1;
                        Some(boost)
                    }
                    _ => None,
                };
                let Some(mut inner) = inner else {
                    return Ok(None);
                };
                if let Token::FieldOpen(field) = token {
                    inner = Expr::Field(field, Box::new(inner));
                }
                Ok(Some(match boost {
                    Some(boost) => Expr::Boost(Box::new(inner), boost),
                    None => inner,
                }))
            }
            Token::Boost(_) => {
                self.at += 1;
                Ok(None)
            }
            // Handled by the callers: an operator or `)` where a term should be.
            Token::And | Token::Or | Token::Close | Token::Not | Token::Plus | Token::Minus => {
                Ok(None)
            }
        }
    }

    /// The expression for tantivy; `None` when lenient mode dropped all of it.
    fn lower(&mut self, expr: Expr, scope: Option<&str>) -> Result<Option<Part>, QueryError> {
        Ok(match expr {
            Expr::Leaf(text) => self.leaf(&text, scope)?.map(Part::Positive),
            Expr::Not(inner) => self.lower(*inner, scope)?.map(|part| match part {
                Part::Positive(ast) => Part::Negative(ast),
                Part::Negative(ast) => Part::Positive(ast),
            }),
            Expr::Boost(inner, boost) => self.lower(*inner, scope)?.map(|part| match part {
                Part::Positive(ast) => {
                    Part::Positive(UserInputAst::Boost(Box::new(ast), boost.into()))
                }
                // A boost on what is excluded changes no score.
                negative => negative,
            }),
            Expr::Field(field, inner) => self.lower(*inner, Some(&field))?,
            Expr::And(items) => {
                let (positives, negatives) = self.lower_all(items, scope)?;
                if positives.is_empty() && negatives.is_empty() {
                    None
                } else if positives.is_empty() {
                    // NOT a AND NOT b = NOT (a OR b).
                    Some(Part::Negative(clause(Occur::Should, negatives)))
                } else {
                    let mut clauses: Vec<(Option<Occur>, UserInputAst)> = positives
                        .into_iter()
                        .map(|ast| (Some(Occur::Must), ast))
                        .collect();
                    clauses.extend(negatives.into_iter().map(|ast| (Some(Occur::MustNot), ast)));
                    Some(Part::Positive(UserInputAst::Clause(clauses)))
                }
            }
            Expr::Or(items) => {
                let (positives, negatives) = self.lower_all(items, scope)?;
                if positives.is_empty() && negatives.is_empty() {
                    None
                } else if positives.is_empty() {
                    // NOT a OR NOT b = NOT (a AND b).
                    Some(Part::Negative(clause(Occur::Must, negatives)))
                } else {
                    let mut alternatives = positives;
                    alternatives.extend(negatives.into_iter().map(everything_but));
                    Some(Part::Positive(clause(Occur::Should, alternatives)))
                }
            }
        })
    }

    /// Lowers each item, sorted into what they match and what they exclude.
    fn lower_all(
        &mut self,
        items: Vec<Expr>,
        scope: Option<&str>,
    ) -> Result<(Vec<UserInputAst>, Vec<UserInputAst>), QueryError> {
        let mut positives = Vec::new();
        let mut negatives = Vec::new();
        for item in items {
            match self.lower(item, scope)? {
                Some(Part::Positive(ast)) => positives.push(ast),
                Some(Part::Negative(ast)) => negatives.push(ast),
                None => {}
            }
        }
        Ok((positives, negatives))
    }

    /// One leaf through tantivy's grammar, its fields checked, `scope` applied.
    fn leaf(
        &mut self,
        text: &str,
        scope: Option<&str>,
    ) -> Result<Option<UserInputAst>, QueryError> {
        let parsed = match query_grammar::parse_query(text) {
            Ok(ast) => ast,
            Err(_) => {
                self.problem(QueryError::Syntax(super::syntax::syntax_hint(text)))?;
                return Ok(None);
            }
        };
        let mut ast = parsed;
        let checked = visit_leaves(&mut ast, &mut |leaf| {
            if let Some(scope) = scope {
                set_field_if_unnamed(leaf, scope);
            }
            self.fields.check(leaf)
        });
        match checked {
            Ok(()) => Ok(Some(ast)),
            Err(error) => {
                self.problem(error)?;
                Ok(None)
            }
        }
    }
}

fn operator_without_term(operator: &str, place: &str) -> QueryError {
    let fix = if place == "starts with" {
        "add a term before it"
    } else {
        "add a term after it"
    };
    QueryError::Syntax(format!(
        "the query {place} the operator {operator} (or has it where a term should be); {fix}"
    ))
}

fn join(mut items: Vec<Expr>, make: fn(Vec<Expr>) -> Expr) -> Option<Expr> {
    match items.len() {
        0 => None,
        1 => items.pop(),
        _ => Some(make(items)),
    }
}

fn clause(occur: Occur, mut asts: Vec<UserInputAst>) -> UserInputAst {
    if asts.len() == 1 {
        if let Some(only) = asts.pop() {
            return only;
        }
    }
    UserInputAst::Clause(asts.into_iter().map(|ast| (Some(occur), ast)).collect())
}

/// Every record except those matching `excluded`.
fn everything_but(excluded: UserInputAst) -> UserInputAst {
    UserInputAst::Clause(vec![
        (
            Some(Occur::Must),
            UserInputAst::Leaf(Box::new(UserInputLeaf::All)),
        ),
        (Some(Occur::MustNot), excluded),
    ])
}

fn visit_leaves(
    ast: &mut UserInputAst,
    visit: &mut dyn FnMut(&mut UserInputLeaf) -> Result<(), QueryError>,
) -> Result<(), QueryError> {
    match ast {
        UserInputAst::Leaf(leaf) => visit(leaf),
        UserInputAst::Boost(inner, _) => visit_leaves(inner, visit),
        UserInputAst::Clause(clauses) => clauses
            .iter_mut()
            .try_for_each(|(_, child)| visit_leaves(child, visit)),
    }
}

fn set_field_if_unnamed(leaf: &mut UserInputLeaf, scope: &str) {
    match leaf {
        UserInputLeaf::Literal(literal) if literal.field_name.is_none() => {
            literal.field_name = Some(scope.to_owned());
        }
        UserInputLeaf::Range { field, .. } | UserInputLeaf::Set { field, .. }
            if field.is_none() =>
        {
            *field = Some(scope.to_owned());
        }
        UserInputLeaf::All => {
            *leaf = UserInputLeaf::Exists {
                field: scope.to_owned(),
            };
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> QueryFields {
        QueryFields::new(vec!["title", "abstract", "year", "type"], vec!["year"])
    }

    fn shape(q: &str) -> String {
        let parsed = parse(q, &fields(), false).unwrap_or_else(|e| panic!("{q}: {e}"));
        format!("{:?}", parsed.ast.expect("terms"))
    }

    #[test]
    fn precedence_is_not_then_and_then_or() {
        assert_eq!(shape("a AND NOT b"), "(+a -b)");
        assert_eq!(shape("a NOT b"), "(+a -b)");
        assert_eq!(shape("a -b"), "(+a -b)");
        assert_eq!(shape("a OR b c"), "(?a ?(+b +c))");
        assert_eq!(shape("a b OR c"), "(?(+a +b) ?c)");
        assert_eq!(shape("(a OR b) c"), "(+(?a ?b) +c)");
        assert_eq!(shape("NOT a"), "(+* -a)");
        assert_eq!(shape("a OR NOT b"), "(?a ?(+* -b))");
        assert_eq!(shape("NOT a AND NOT b"), "(+* -(?a ?b))");
        assert_eq!(shape("NOT NOT a"), "a");
        assert_eq!(shape("+a +b"), "(+a +b)");
        assert_eq!(shape("title:(a b)"), "(+\"title\":a +\"title\":b)");
        assert_eq!(shape("(a b)^2"), "((+a +b))^2");
    }

    #[test]
    fn fields_are_checked_before_tantivy() {
        let refused = |q: &str| parse(q, &fields(), false).unwrap_err().to_string();
        assert!(refused("emails:*").contains("'emails'"));
        assert!(refused("registration:x").contains("'registration'"));
        assert!(refused("title:*").contains("title:*"));
        assert!(refused("title:[a TO b]").contains("ranges work on year"));
        assert!(refused("a AND").contains("AND"));
        assert!(refused("(a").contains("parentheses"));
        assert!(refused("a)").contains("parentheses"));
        assert!(refused("\"a").contains("double quote"));
        assert!(parse("year:[2015 TO 2020] type: IN [Review]", &fields(), false).is_ok());
    }

    #[test]
    fn lenient_mode_drops_and_says_what() {
        let parsed = parse("heart (failure emails:x", &fields(), true).unwrap();
        assert_eq!(parsed.warnings.len(), 2, "{:?}", parsed.warnings);
        assert!(format!("{:?}", parsed.ast).contains("failure"));
    }
}
