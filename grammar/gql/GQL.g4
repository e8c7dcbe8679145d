// Vigil's GQL (ISO/IEC 39075) grammar: the read-only query subset that
// lowers onto the language-neutral AST, plus the leading keywords of the
// statements Vigil does not run (data modification, catalog and session
// statements, CALL, SELECT), so that the builder can reject them by name and
// position instead of reporting a confusing syntax error.
//
// Precedence is encoded by rule layering, loosest first: OR, XOR, AND, NOT,
// truth tests (IS TRUE), comparison, the predicates (IS NULL, IS TYPED,
// IS LABELED, and the openCypher extensions IN, STARTS WITH, ENDS WITH,
// CONTAINS), || , + -, * /, unary + -, then property access, indexing and
// slicing.
//
// Regenerate with: grammar/generate.sh grammar/gql GQL.g4
grammar GQL;

options {
    caseInsensitive = true;
}

// ---------------------------------------------------------------- requests

request
    : query SEMI? EOF
    ;

// NEXT is the loosest composition: each part reads the table the previous
// part returned. Set operators bind tighter, as in the standard.
query
    : compositeQuery (NEXT compositeQuery)*
    ;

compositeQuery
    : linearQuery (setOperator linearQuery)*
    ;

setOperator
    : UNION (ALL | DISTINCT)?
    | EXCEPT (ALL | DISTINCT)?
    | INTERSECT (ALL | DISTINCT)?
    | OTHERWISE
    ;

// Statement order (RETURN last, and so on) is checked by the builder, which
// can say what is wrong in words.
linearQuery
    : statement+
    ;

statement
    : matchStatement
    | filterStatement
    | letStatement
    | forStatement
    | yieldStatement
    | orderPageStatement
    | returnStatement
    | unsupportedStatement
    ;

matchStatement
    : OPTIONAL? MATCH graphPattern
    ;

filterStatement
    : FILTER WHERE? expression
    ;

letStatement
    : LET letBinding (COMMA letBinding)*
    ;

letBinding
    : VALUE? variable EQ expression
    ;

forStatement
    : FOR variable IN expression (WITH (ORDINALITY | OFFSET) variable)?
    ;

yieldStatement
    : YIELD yieldItem (COMMA yieldItem)*
    ;

yieldItem
    : expression (AS variable)?
    ;

// ORDER BY / OFFSET / LIMIT standing on their own, not after RETURN.
orderPageStatement
    : orderByClause offsetClause? limitClause?
    | offsetClause limitClause?
    | limitClause
    ;

returnStatement
    : RETURN (DISTINCT | ALL)? returnItems groupByClause? orderByClause? offsetClause? limitClause?
    ;

returnItems
    : STAR
    | NO BINDINGS
    | yieldItem (COMMA yieldItem)*
    ;

groupByClause
    : GROUP BY LPAREN RPAREN
    | GROUP BY variable (COMMA variable)*
    ;

orderByClause
    : ORDER BY sortSpec (COMMA sortSpec)*
    ;

sortSpec
    : expression (ASC | ASCENDING | DESC | DESCENDING)? (NULLS (FIRST | LAST))?
    ;

offsetClause
    : (OFFSET | SKIP_) expression
    ;

limitClause
    : LIMIT expression
    ;

// Everything after one of these keywords up to the end of the request is
// swallowed: the builder rejects the statement by its first keyword, so its
// own syntax never matters.
unsupportedStatement
    : unsupportedKeyword (~SEMI)*
    ;

unsupportedKeyword
    : INSERT | SET | REMOVE | DELETE | DETACH | NODETACH | CREATE | DROP | CALL
    | SELECT | USE | SESSION | START | COMMIT | ROLLBACK | OPTIONAL LBRACE | OPTIONAL LPAREN
    | FINISH
    ;

// --------------------------------------------------------------- patterns

graphPattern
    : matchMode? pathPattern (COMMA pathPattern)* keepClause? (WHERE expression)?
    ;

matchMode
    : REPEATABLE (ELEMENT | ELEMENTS) BINDINGS?
    | DIFFERENT (EDGE | EDGES | RELATIONSHIP | RELATIONSHIPS) BINDINGS?
    ;

keepClause
    : KEEP pathPrefix
    ;

pathPattern
    : (variable EQ)? pathPrefix? pathExpression
    ;

pathPrefix
    : pathMode (PATH | PATHS)?
    | ALL SHORTEST? pathMode? (PATH | PATHS)?
    | ANY SHORTEST? pathMode? (PATH | PATHS)?
    | ANY integerLiteral pathMode? (PATH | PATHS)?
    | SHORTEST integerLiteral? pathMode? (PATH | PATHS | GROUP | GROUPS)?
    ;

pathMode
    : WALK
    | TRAIL
    | SIMPLE
    | ACYCLIC
    ;

// `|` and `|+|` (path pattern union) are parsed only to be rejected.
pathExpression
    : pathTerm ((PIPE | MULTISET_ALT) pathTerm)*
    ;

pathTerm
    : pathFactor+
    ;

pathFactor
    : pathPrimary (quantifier | QUESTION)?
    ;

// A node pattern beats a parenthesised path where both could match.
pathPrimary
    : nodePattern
    | edgePattern
    | LPAREN (variable EQ)? pathPrefix? pathExpression (WHERE expression)? RPAREN
    ;

nodePattern
    : LPAREN variable? labelSpec? properties? (WHERE expression)? RPAREN
    ;

// Arrow parts are separate tokens (as in the Cypher grammar) so that
// `a<-1` still lexes as a comparison with a negation. Besides GQL's
// abbreviations (->, <-, -, <->) the Cypher spellings -->, <--, -- and <-->
// are accepted, longest first: GQL has no meaning for two bare edges side by
// side that anyone would write, and Cypher users write them by habit.
edgePattern
    : LT MINUS LBRACK edgeFiller RBRACK MINUS GT # edgeAny
    | LT MINUS LBRACK edgeFiller RBRACK MINUS    # edgeLeft
    | MINUS LBRACK edgeFiller RBRACK MINUS GT    # edgeRight
    | MINUS LBRACK edgeFiller RBRACK MINUS       # edgeAny
    | LT MINUS MINUS GT                          # edgeAnyShort
    | LT MINUS MINUS                             # edgeLeftShort
    | MINUS MINUS GT                             # edgeRightShort
    | MINUS MINUS                                # edgeAnyShort
    | LT MINUS GT                                # edgeAnyShort
    | LT MINUS                                   # edgeLeftShort
    | MINUS GT                                   # edgeRightShort
    | MINUS                                      # edgeAnyShort
    | TILDE                                      # edgeUndirected
    | LT TILDE                                   # edgeUndirected
    | TILDE GT                                   # edgeUndirected
    | TILDE LBRACK edgeFiller RBRACK TILDE GT?   # edgeUndirected
    | LT TILDE LBRACK edgeFiller RBRACK TILDE    # edgeUndirected
    ;

edgeFiller
    : variable? labelSpec? properties? (WHERE expression)?
    ;

labelSpec
    : (COLON | IS) labelExpression
    ;

labelExpression
    : labelTerm (PIPE labelTerm)*
    ;

labelTerm
    : labelFactor (AMP labelFactor)*
    ;

labelFactor
    : BANG labelFactor                  # labelNegation
    | PERCENT                           # labelWildcard
    | LPAREN labelExpression RPAREN     # labelParen
    | schemaName                        # labelName
    ;

// Quantifiers: {m,n}, {m}, {,n}; the unbounded ones ({m,}, *, +) are parsed
// so that the builder can name them.
quantifier
    : LBRACE lower = integerLiteral? COMMA upper = integerLiteral? RBRACE # quantRange
    | LBRACE integerLiteral RBRACE                                        # quantFixed
    | STAR                                                                # quantStar
    | PLUS                                                                # quantPlus
    ;

properties
    : LBRACE (propertyKey COLON expression (COMMA propertyKey COLON expression)*)? RBRACE
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
    : NOT* truthExpression
    ;

truthExpression
    : comparisonExpression (IS NOT? (TRUE | FALSE | UNKNOWN))?
    ;

comparisonExpression
    : predicateExpression (comparisonOperator predicateExpression)?
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
    : concatExpression predicateSuffix*
    ;

predicateSuffix
    : IS NOT? NULL                                # isNull
    | IS NOT? (TYPED | DOUBLE_COLON) valueType    # isTyped
    | IS NOT? LABELED labelExpression             # isLabeled
    | COLON labelExpression                       # hasLabel
    | STARTS WITH concatExpression                # startsWith
    | ENDS WITH concatExpression                  # endsWith
    | CONTAINS concatExpression                   # contains
    | IN concatExpression                         # inList
    ;

// A value type as written after IS TYPED and in CAST: one or more words
// (`INT`, `ZONED DATETIME`, `DOUBLE PRECISION`, `INT LIST`), an element
// type (`LIST<INT>`) and NOT NULL. The builder decides which it supports.
valueType
    : typeWord+ (LT valueType GT)? (NOT NULL)?
    ;

typeWord
    : symbolicName
    | NULL
    ;

concatExpression
    : addExpression (CONCAT addExpression)*
    ;

addExpression
    : multExpression ((PLUS | MINUS) multExpression)*
    ;

multExpression
    : unaryExpression ((STAR | SLASH) unaryExpression)*
    ;

unaryExpression
    : (PLUS | MINUS) unaryExpression
    | postfixExpression
    ;

postfixExpression
    : primary postfixOperator*
    ;

postfixOperator
    : DOT propertyKey                                                  # propertyLookup
    | LBRACK expression RBRACK                                         # indexLookup
    | LBRACK fromExpr = expression? DOTDOT toExpr = expression? RBRACK # sliceLookup
    ;

primary
    : literal                                                         # literalPrimary
    | parameter                                                       # parameterPrimary
    | caseExpression                                                  # casePrimary
    | NULLIF LPAREN expression COMMA expression RPAREN                # nullifPrimary
    | COALESCE LPAREN expression (COMMA expression)* RPAREN           # coalescePrimary
    | COUNT LPAREN STAR RPAREN                                        # countStar
    | EXISTS LBRACE (matchStatement+ | graphPattern) RBRACE           # existsPrimary
    | CAST LPAREN expression AS valueType RPAREN                      # castPrimary
    | niladic = (CURRENT_DATE | CURRENT_TIME | CURRENT_TIMESTAMP | LOCAL_TIMESTAMP) # clockPrimary
    | typeName = symbolicName typeName2 = symbolicName? StringLiteral # typedLiteral
    | functionName LPAREN (DISTINCT | ALL)? (expression (COMMA expression)*)? RPAREN # functionCall
    | LPAREN expression RPAREN                                        # parenthesized
    | variable                                                        # variablePrimary
    ;

literal
    : numberLiteral                                                   # numLit
    | StringLiteral                                                   # stringLit
    | TRUE                                                            # trueLit
    | FALSE                                                           # falseLit
    | (NULL | UNKNOWN)                                                # nullLit
    | LIST? LBRACK (expression (COMMA expression)*)? RBRACK           # listLit
    | RECORD? LBRACE (propertyKey COLON expression (COMMA propertyKey COLON expression)*)? RBRACE # recordLit
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

parameter
    : DOLLAR symbolicName
    ;

caseExpression
    : CASE subject = expression? caseWhen+ (ELSE elseExpr = expression)? END
    ;

caseWhen
    : WHEN expression THEN expression
    ;

// `drasi.trueFor`: a dotted name is one function name.
functionName
    : symbolicName (DOT symbolicName)*
    ;

// ------------------------------------------------------------------ names

variable
    : symbolicName
    ;

propertyKey
    : schemaName
    ;

// Non-reserved words usable as variables and function names.
symbolicName
    : Identifier
    | EscapedIdentifier
    | VALUE | ELEMENT | ELEMENTS | EDGE | EDGES | RELATIONSHIP | RELATIONSHIPS
    | BINDINGS | PATH | PATHS | WALK | TRAIL | SIMPLE | ACYCLIC | SHORTEST
    | REPEATABLE | DIFFERENT | KEEP | ORDINALITY | FIRST | LAST | NULLS | GROUPS
    | LABELED | RECORD | LIST | START | SESSION | COMMIT | ROLLBACK | FINISH
    | COUNT | ANY | TYPED | STARTS | ENDS | CONTAINS
    ;

// Labels and property keys live in their own namespace, so any keyword is
// fine there (`n.match`, `:Return`).
schemaName
    : symbolicName
    | reservedWord
    ;

reservedWord
    : MATCH | OPTIONAL | WHERE | FILTER | LET | FOR | IN | WITH | YIELD | RETURN
    | DISTINCT | ALL | AS | ORDER | BY | GROUP | ASC | ASCENDING | DESC | DESCENDING
    | OFFSET | SKIP_ | LIMIT | NEXT | UNION | EXCEPT | INTERSECT | OTHERWISE | NO
    | INSERT | SET | REMOVE | DELETE | DETACH | NODETACH | CREATE | DROP | CALL
    | SELECT | USE | CASE | WHEN | THEN | ELSE | END | AND | OR | XOR | NOT | IS
    | NULL | UNKNOWN | TRUE | FALSE | NULLIF | COALESCE | EXISTS | CAST
    | CURRENT_DATE | CURRENT_TIME | CURRENT_TIMESTAMP | LOCAL_TIMESTAMP
    ;

// ------------------------------------------------------------------ lexer

MATCH             : 'match';
OPTIONAL          : 'optional';
WHERE             : 'where';
FILTER            : 'filter';
LET               : 'let';
VALUE             : 'value';
FOR               : 'for';
IN                : 'in';
WITH              : 'with';
ORDINALITY        : 'ordinality';
YIELD             : 'yield';
RETURN            : 'return';
DISTINCT          : 'distinct';
ALL               : 'all';
ANY               : 'any';
AS                : 'as';
NO                : 'no';
BINDINGS          : 'bindings';
GROUP             : 'group';
GROUPS            : 'groups';
ORDER             : 'order';
BY                : 'by';
ASCENDING         : 'ascending';
ASC               : 'asc';
DESCENDING        : 'descending';
DESC              : 'desc';
NULLS             : 'nulls';
FIRST             : 'first';
LAST              : 'last';
OFFSET            : 'offset';
SKIP_             : 'skip';
LIMIT             : 'limit';
NEXT              : 'next';
UNION             : 'union';
EXCEPT            : 'except';
INTERSECT         : 'intersect';
OTHERWISE         : 'otherwise';
INSERT            : 'insert';
SET               : 'set';
REMOVE            : 'remove';
DELETE            : 'delete';
DETACH            : 'detach';
NODETACH          : 'nodetach';
CREATE            : 'create';
DROP              : 'drop';
CALL              : 'call';
SELECT            : 'select';
USE               : 'use';
SESSION           : 'session';
START             : 'start';
COMMIT            : 'commit';
ROLLBACK          : 'rollback';
FINISH            : 'finish';
REPEATABLE        : 'repeatable';
ELEMENT           : 'element';
ELEMENTS          : 'elements';
DIFFERENT         : 'different';
EDGE              : 'edge';
EDGES             : 'edges';
RELATIONSHIP      : 'relationship';
RELATIONSHIPS     : 'relationships';
KEEP              : 'keep';
PATH              : 'path';
PATHS             : 'paths';
SHORTEST          : 'shortest';
WALK              : 'walk';
TRAIL             : 'trail';
SIMPLE            : 'simple';
ACYCLIC           : 'acyclic';
LABELED           : 'labeled';
CASE              : 'case';
WHEN              : 'when';
THEN              : 'then';
ELSE              : 'else';
END               : 'end';
AND               : 'and';
OR                : 'or';
XOR               : 'xor';
NOT               : 'not';
IS                : 'is';
NULL              : 'null';
UNKNOWN           : 'unknown';
TRUE              : 'true';
FALSE             : 'false';
NULLIF            : 'nullif';
COALESCE          : 'coalesce';
COUNT             : 'count';
EXISTS            : 'exists';
CAST              : 'cast';
TYPED             : 'typed';
STARTS            : 'starts';
ENDS              : 'ends';
CONTAINS          : 'contains';
LIST              : 'list';
RECORD            : 'record';
CURRENT_DATE      : 'current_date';
CURRENT_TIME      : 'current_time';
CURRENT_TIMESTAMP : 'current_timestamp';
LOCAL_TIMESTAMP   : 'local_timestamp';

SEMI         : ';';
COMMA        : ',';
DOTDOT       : '..';
DOT          : '.';
DOUBLE_COLON : '::';
COLON        : ':';
CONCAT       : '||';
MULTISET_ALT : '|+|';
PIPE         : '|';
AMP          : '&';
BANG         : '!';
QUESTION     : '?';
TILDE        : '~';
DOLLAR       : '$';
LPAREN       : '(';
RPAREN       : ')';
LBRACK       : '[';
RBRACK       : ']';
LBRACE       : '{';
RBRACE       : '}';
EQ           : '=';
NE           : '<>' | '!=';  // '!=' as Drasi's GQL accepts it
LE           : '<=';
GE           : '>=';
LT           : '<';
GT           : '>';
PLUS         : '+';
MINUS        : '-';
STAR         : '*';
SLASH        : '/';
PERCENT      : '%';

HexInteger     : '0x' [0-9a-f]+;
OctalInteger   : '0o' [0-7]+;
DecimalInteger : [0-9]+;

FloatLiteral
    : [0-9]+ '.' [0-9]+ Exponent?
    | '.' [0-9]+ Exponent?
    | [0-9]+ Exponent
    ;

fragment Exponent : 'e' [+-]? [0-9]+;

// Digits running into letters (`12abc`) as one token, so the builder can
// say "invalid number" instead of pointing at a stray identifier.
InvalidNumber : [0-9] [0-9a-z_]*;

// GQL escapes a quote by doubling it; backslash escapes are accepted too.
StringLiteral
    : '\'' (~['\\] | '\\' . | '\'\'')* '\''
    | '"' (~["\\] | '\\' . | '""')* '"'
    ;

EscapedIdentifier : '`' (~'`' | '``')* '`';

Identifier : IdentStart IdentPart*;

fragment IdentStart : [\p{ID_Start}\p{Pc}];
fragment IdentPart  : [\p{ID_Continue}\p{Sc}];

WS : [ \t\r\n\f\u000B\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF]+ -> skip;

LineComment  : '//' ~[\r\n]* -> skip;
BlockComment : '/*' .*? '*/' -> skip;
