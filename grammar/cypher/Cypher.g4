// Vigil's openCypher grammar: the read-only query surface plus CREATE (for
// test setup graphs) and just enough of the write clauses to reject them with
// a clear message instead of a confusing syntax error.
//
// Precedence is encoded by rule layering, loosest first: OR, XOR, AND, NOT,
// comparison, string/list/null predicates, + -, * / %, ^, unary + -, then
// postfix property / index / slice / label access. This is the order the
// openCypher TCK (expressions/precedence) checks.
//
// Regenerate with: grammar/generate.sh grammar/cypher Cypher.g4
grammar Cypher;

options {
    caseInsensitive = true;
}

// ---------------------------------------------------------------- queries

script
    : query SEMI? EOF
    ;

query
    : singleQuery unionPart*
    ;

unionPart
    : UNION ALL? singleQuery
    ;

// Clause order (RETURN last, etc.) is checked by the builder: it can say
// what is wrong in words, where a grammar would only report a bad token.
singleQuery
    : clause+
    ;

clause
    : matchClause
    | unwindClause
    | withClause
    | returnClause
    | createClause
    | mergeClause
    | setClause
    | deleteClause
    | removeClause
    | callClause
    ;

matchClause
    : OPTIONAL? MATCH pattern whereClause?
    ;

unwindClause
    : UNWIND expression AS variable
    ;

withClause
    : WITH projectionBody whereClause?
    ;

returnClause
    : RETURN projectionBody
    ;

projectionBody
    : DISTINCT? projectionItems orderClause? skipClause? limitClause?
    ;

projectionItems
    : STAR (COMMA projectionItem)*
    | projectionItem (COMMA projectionItem)*
    ;

projectionItem
    : expression (AS variable)?
    ;

orderClause
    : ORDER BY sortItem (COMMA sortItem)*
    ;

sortItem
    : expression (ASCENDING | ASC | DESCENDING | DESC)?
    ;

skipClause
    : SKIP_ expression
    ;

limitClause
    : LIMIT expression
    ;

whereClause
    : WHERE expression
    ;

createClause
    : CREATE pattern
    ;

// ------------------------------------------- write clauses (rejected later)

mergeClause
    : MERGE patternPart mergeAction*
    ;

mergeAction
    : ON (MATCH | CREATE) setClause
    ;

setClause
    : SET setItem (COMMA setItem)*
    ;

setItem
    : postfixExpression (EQ | PLUSEQ) expression
    | variable labelExpression
    ;

deleteClause
    : DETACH? DELETE expression (COMMA expression)*
    ;

removeClause
    : REMOVE removeItem (COMMA removeItem)*
    ;

removeItem
    : variable labelExpression
    | postfixExpression
    ;

callClause
    : CALL qualifiedName (LPAREN (expression (COMMA expression)*)? RPAREN)? yieldPart?
    ;

yieldPart
    : YIELD (STAR | yieldItem (COMMA yieldItem)*) whereClause?
    ;

yieldItem
    : symbolicName (AS variable)?
    ;

// --------------------------------------------------------------- patterns

pattern
    : patternPart (COMMA patternPart)*
    ;

patternPart
    : (variable EQ)? patternElement
    ;

patternElement
    : nodePattern (relationshipPattern nodePattern)*
    ;

// A chain with at least one relationship: the only pattern shape that can
// stand as an expression, since a lone `(a)` must stay a parenthesised
// expression.
relationshipsPattern
    : nodePattern (relationshipPattern nodePattern)+
    ;

nodePattern
    : LPAREN variable? labelExpression? properties? (WHERE expression)? RPAREN
    ;

// Arrow heads and dashes are separate tokens (as in the openCypher
// reference) so that `a<-1` still lexes as a comparison with a negation.
relationshipPattern
    : LT MINUS relationshipDetail? MINUS GT # relBoth
    | LT MINUS relationshipDetail? MINUS    # relLeft
    | MINUS relationshipDetail? MINUS GT    # relRight
    | MINUS relationshipDetail? MINUS       # relBoth
    ;

relationshipDetail
    : LBRACK variable? labelExpression? rangeLiteral? properties? (WHERE expression)? RBRACK
    ;

// `:A:B` is a conjunction, `:A|B` and `:A|:B` a disjunction; mixing the two
// has no agreed meaning in openCypher, so it is not accepted.
labelExpression
    : COLON labelName (COLON labelName)+                # labelAnd
    | COLON labelName (PIPE COLON? labelName)+          # labelOr
    | COLON labelName                                   # labelSingle
    ;

labelName
    : schemaName
    ;

// The second form and negative bounds are invalid, but accepting them lets
// the builder name the mistake (InvalidRelationshipPattern) instead of
// pointing at a stray token.
rangeLiteral
    : STAR rangeBound? (DOTDOT rangeBound?)?
    | rangeBound? DOTDOT rangeBound?
    ;

rangeBound
    : MINUS? integerLiteral
    ;

properties
    : mapLiteral
    | parameter
    ;

// ------------------------------------------------------------ expressions

expression
    : orExpression
    ;

orExpression
    : xorExpression (OR xorExpression)*
    ;

xorExpression
    : andExpression (XOR andExpression)*
    ;

andExpression
    : notExpression (AND notExpression)*
    ;

notExpression
    : NOT* comparisonExpression
    ;

comparisonExpression
    : predicateExpression (comparisonOperator predicateExpression)*
    ;

comparisonOperator
    : EQ
    | NE
    | LT
    | GT
    | LE
    | GE
    ;

predicateExpression
    : addExpression predicateSuffix*
    ;

predicateSuffix
    : STARTS WITH addExpression # startsWith
    | ENDS WITH addExpression   # endsWith
    | CONTAINS addExpression    # contains
    | REGEQ addExpression       # regexMatch
    | IN addExpression          # inList
    | IS NOT? NULL              # isNull
    ;

addExpression
    : multExpression ((PLUS | MINUS) multExpression)*
    ;

multExpression
    : powerExpression ((STAR | SLASH | PERCENT) powerExpression)*
    ;

powerExpression
    : unaryExpression (CARET unaryExpression)*
    ;

unaryExpression
    : (PLUS | MINUS) unaryExpression
    | postfixExpression
    ;

postfixExpression
    : atom postfixOperator*
    ;

postfixOperator
    : DOT propertyKey                                       # propertyLookup
    | LBRACK expression RBRACK                              # indexLookup
    | LBRACK fromExpr = expression? DOTDOT toExpr = expression? RBRACK # sliceLookup
    | labelExpression                                       # labelPredicate
    ;

// Alternative order matters where the input is ambiguous: a comprehension
// beats a one-element list literal (`[x IN l]`), a relationship pattern
// beats a parenthesised arithmetic expression (`(a)--(b)`), and the special
// forms beat a plain function call of the same name.
atom
    : listComprehension                                      # listComprehensionAtom
    | patternComprehension                                   # patternComprehensionAtom
    | literal                                                # literalAtom
    | parameter                                              # parameterAtom
    | caseExpression                                         # caseAtom
    | COUNT LPAREN STAR RPAREN                               # countStar
    | quantifier                                             # quantifierAtom
    | reduceExpression                                       # reduceAtom
    | existsSubquery                                         # existsAtom
    | relationshipsPattern                                   # patternPredicate
    | LPAREN expression RPAREN                               # parenthesized
    | functionInvocation                                     # functionAtom
    | variable                                               # variableAtom
    ;

literal
    : numberLiteral  # numLit
    | StringLiteral  # stringLit
    | TRUE           # trueLit
    | FALSE          # falseLit
    | NULL           # nullLit
    | mapLiteral     # mapLit
    | listLiteral    # listLit
    ;

numberLiteral
    : integerLiteral
    | FloatLiteral
    | InvalidNumber
    ;

integerLiteral
    : DecimalInteger
    | HexInteger
    | OctalInteger
    ;

listLiteral
    : LBRACK (expression (COMMA expression)*)? RBRACK
    ;

mapLiteral
    : LBRACE (propertyKey COLON expression (COMMA propertyKey COLON expression)*)? RBRACE
    ;

parameter
    : DOLLAR (symbolicName | DecimalInteger)
    ;

caseExpression
    : CASE subject = expression? caseAlternative+ (ELSE elseExpr = expression)? END
    ;

caseAlternative
    : WHEN expression THEN expression
    ;

listComprehension
    : LBRACK variable IN expression (WHERE whereExpr = expression)? (PIPE mapExpr = expression)? RBRACK
    ;

patternComprehension
    : LBRACK (variable EQ)? relationshipsPattern (WHERE whereExpr = expression)? PIPE mapExpr = expression RBRACK
    ;

quantifier
    : (ALL | ANY | NONE | SINGLE) LPAREN variable IN expression (WHERE expression)? RPAREN
    ;

reduceExpression
    : REDUCE LPAREN accVar = variable EQ initExpr = expression COMMA itemVar = variable IN listExpr = expression PIPE bodyExpr = expression RPAREN
    ;

existsSubquery
    : EXISTS LBRACE (query | pattern whereClause?) RBRACE
    ;

functionInvocation
    : qualifiedName LPAREN DISTINCT? (expression (COMMA expression)*)? RPAREN
    ;

// `drasi.trueFor`, `datetime.realtime`: a dotted name is one function name.
qualifiedName
    : (symbolicName DOT)* symbolicName
    ;

// ------------------------------------------------------------------ names

variable
    : symbolicName
    | softKeyword
    ;

// Keywords that may also name a variable (`MATCH (order:Order)`,
// `-[call:CALL]->`, `WITH o AS order`), as Neo4j and Drasi accept: a variable
// stands where an expression starts or after AS, and there none of these can
// be read as the keyword. Words that could start or continue an expression
// (NOT, IN, IS, CASE, END, NULL, TRUE, ...) or follow one (DISTINCT) stay
// reserved; backticks make any word a variable.
softKeyword
    : MATCH | OPTIONAL | WHERE | WITH | RETURN | ORDER | BY | ASC | ASCENDING
    | DESC | DESCENDING | SKIP_ | LIMIT | UNWIND | UNION | CREATE | MERGE | SET
    | DELETE | REMOVE | CALL | ON | STARTS | ENDS | CONTAINS | AS
    ;

propertyKey
    : schemaName
    ;

// Words that are keywords elsewhere but are commonly used as variable or
// function names; everything else reserved needs backticks to be a variable.
symbolicName
    : Identifier
    | EscapedIdentifier
    | COUNT
    | ANY
    | NONE
    | SINGLE
    | ALL
    | REDUCE
    | EXISTS
    | DETACH
    | YIELD
    ;

// Labels, relationship types and property keys live in their own namespace,
// so any keyword is fine there (`n.match`, `:Return`).
schemaName
    : symbolicName
    | reservedWord
    ;

reservedWord
    : MATCH | OPTIONAL | WHERE | WITH | RETURN | DISTINCT | AS | ORDER | BY
    | ASC | ASCENDING | DESC | DESCENDING | SKIP_ | LIMIT | UNWIND | UNION
    | CREATE | MERGE | SET | DELETE | REMOVE | CALL | ON
    | CASE | WHEN | THEN | ELSE | END | AND | OR | XOR | NOT | IN
    | STARTS | ENDS | CONTAINS | IS | NULL | TRUE | FALSE
    ;

// ------------------------------------------------------------------ lexer

MATCH      : 'match';
OPTIONAL   : 'optional';
WHERE      : 'where';
WITH       : 'with';
RETURN     : 'return';
DISTINCT   : 'distinct';
AS         : 'as';
ORDER      : 'order';
BY         : 'by';
ASCENDING  : 'ascending';
ASC        : 'asc';
DESCENDING : 'descending';
DESC       : 'desc';
SKIP_      : 'skip';
LIMIT      : 'limit';
UNWIND     : 'unwind';
UNION      : 'union';
ALL        : 'all';
CREATE     : 'create';
MERGE      : 'merge';
SET        : 'set';
DELETE     : 'delete';
DETACH     : 'detach';
REMOVE     : 'remove';
CALL       : 'call';
YIELD      : 'yield';
ON         : 'on';
CASE       : 'case';
WHEN       : 'when';
THEN       : 'then';
ELSE       : 'else';
END        : 'end';
AND        : 'and';
OR         : 'or';
XOR        : 'xor';
NOT        : 'not';
IN         : 'in';
STARTS     : 'starts';
ENDS       : 'ends';
CONTAINS   : 'contains';
IS         : 'is';
NULL       : 'null';
TRUE       : 'true';
FALSE      : 'false';
COUNT      : 'count';
ANY        : 'any';
NONE       : 'none';
SINGLE     : 'single';
REDUCE     : 'reduce';
EXISTS     : 'exists';

SEMI    : ';';
COMMA   : ',';
DOTDOT  : '..';
DOT     : '.';
COLON   : ':';
PIPE    : '|';
DOLLAR  : '$';
LPAREN  : '(';
RPAREN  : ')';
LBRACK  : '[';
RBRACK  : ']';
LBRACE  : '{';
RBRACE  : '}';
PLUSEQ  : '+=';
REGEQ   : '=~';
EQ      : '=';
NE      : '<>' | '!=';  // '!=' as Neo4j and Drasi accept it
LE      : '<=';
GE      : '>=';
LT      : '<';
GT      : '>';
PLUS    : '+';
MINUS   : '-';
STAR    : '*';
SLASH   : '/';
PERCENT : '%';
CARET   : '^';

HexInteger     : '0x' [0-9a-f]+;
OctalInteger   : '0o' [0-7]+;
DecimalInteger : [0-9]+;

FloatLiteral
    : [0-9]+ '.' [0-9]+ Exponent?
    | '.' [0-9]+ Exponent?
    | [0-9]+ Exponent
    ;

fragment Exponent : 'e' [+-]? [0-9]+;

// Digits running into letters (`12abc`, `0x1G`, `0x`) would otherwise lex as
// a number followed by an identifier and surface as a puzzling syntax error;
// as one token the builder can report InvalidNumberLiteral. Being longer it
// wins over the valid forms above, which win ties by coming first.
InvalidNumber : [0-9] [0-9a-z_]*;

StringLiteral
    : '\'' (~['\\] | '\\' .)* '\''
    | '"' (~["\\] | '\\' .)* '"'
    ;

EscapedIdentifier : '`' (~'`' | '``')* '`';

Identifier : IdentStart IdentPart*;

fragment IdentStart : [\p{ID_Start}\p{Pc}];
fragment IdentPart  : [\p{ID_Continue}\p{Sc}];

WS : [ \t\r\n\f\u000B\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF]+ -> skip;

LineComment  : '//' ~[\r\n]* -> skip;
BlockComment : '/*' .*? '*/' -> skip;
