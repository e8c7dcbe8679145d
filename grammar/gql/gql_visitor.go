// Code generated from GQL.g4 by ANTLR 4.13.1. DO NOT EDIT.

package gql // GQL
import "github.com/antlr4-go/antlr/v4"

// A complete Visitor for a parse tree produced by GQLParser.
type GQLVisitor interface {
	antlr.ParseTreeVisitor

	// Visit a parse tree produced by GQLParser#request.
	VisitRequest(ctx *RequestContext) interface{}

	// Visit a parse tree produced by GQLParser#query.
	VisitQuery(ctx *QueryContext) interface{}

	// Visit a parse tree produced by GQLParser#compositeQuery.
	VisitCompositeQuery(ctx *CompositeQueryContext) interface{}

	// Visit a parse tree produced by GQLParser#setOperator.
	VisitSetOperator(ctx *SetOperatorContext) interface{}

	// Visit a parse tree produced by GQLParser#linearQuery.
	VisitLinearQuery(ctx *LinearQueryContext) interface{}

	// Visit a parse tree produced by GQLParser#statement.
	VisitStatement(ctx *StatementContext) interface{}

	// Visit a parse tree produced by GQLParser#matchStatement.
	VisitMatchStatement(ctx *MatchStatementContext) interface{}

	// Visit a parse tree produced by GQLParser#filterStatement.
	VisitFilterStatement(ctx *FilterStatementContext) interface{}

	// Visit a parse tree produced by GQLParser#letStatement.
	VisitLetStatement(ctx *LetStatementContext) interface{}

	// Visit a parse tree produced by GQLParser#letBinding.
	VisitLetBinding(ctx *LetBindingContext) interface{}

	// Visit a parse tree produced by GQLParser#forStatement.
	VisitForStatement(ctx *ForStatementContext) interface{}

	// Visit a parse tree produced by GQLParser#yieldStatement.
	VisitYieldStatement(ctx *YieldStatementContext) interface{}

	// Visit a parse tree produced by GQLParser#yieldItem.
	VisitYieldItem(ctx *YieldItemContext) interface{}

	// Visit a parse tree produced by GQLParser#orderPageStatement.
	VisitOrderPageStatement(ctx *OrderPageStatementContext) interface{}

	// Visit a parse tree produced by GQLParser#returnStatement.
	VisitReturnStatement(ctx *ReturnStatementContext) interface{}

	// Visit a parse tree produced by GQLParser#returnItems.
	VisitReturnItems(ctx *ReturnItemsContext) interface{}

	// Visit a parse tree produced by GQLParser#groupByClause.
	VisitGroupByClause(ctx *GroupByClauseContext) interface{}

	// Visit a parse tree produced by GQLParser#orderByClause.
	VisitOrderByClause(ctx *OrderByClauseContext) interface{}

	// Visit a parse tree produced by GQLParser#sortSpec.
	VisitSortSpec(ctx *SortSpecContext) interface{}

	// Visit a parse tree produced by GQLParser#offsetClause.
	VisitOffsetClause(ctx *OffsetClauseContext) interface{}

	// Visit a parse tree produced by GQLParser#limitClause.
	VisitLimitClause(ctx *LimitClauseContext) interface{}

	// Visit a parse tree produced by GQLParser#unsupportedStatement.
	VisitUnsupportedStatement(ctx *UnsupportedStatementContext) interface{}

	// Visit a parse tree produced by GQLParser#unsupportedKeyword.
	VisitUnsupportedKeyword(ctx *UnsupportedKeywordContext) interface{}

	// Visit a parse tree produced by GQLParser#graphPattern.
	VisitGraphPattern(ctx *GraphPatternContext) interface{}

	// Visit a parse tree produced by GQLParser#matchMode.
	VisitMatchMode(ctx *MatchModeContext) interface{}

	// Visit a parse tree produced by GQLParser#keepClause.
	VisitKeepClause(ctx *KeepClauseContext) interface{}

	// Visit a parse tree produced by GQLParser#pathPattern.
	VisitPathPattern(ctx *PathPatternContext) interface{}

	// Visit a parse tree produced by GQLParser#pathPrefix.
	VisitPathPrefix(ctx *PathPrefixContext) interface{}

	// Visit a parse tree produced by GQLParser#pathMode.
	VisitPathMode(ctx *PathModeContext) interface{}

	// Visit a parse tree produced by GQLParser#pathExpression.
	VisitPathExpression(ctx *PathExpressionContext) interface{}

	// Visit a parse tree produced by GQLParser#pathTerm.
	VisitPathTerm(ctx *PathTermContext) interface{}

	// Visit a parse tree produced by GQLParser#pathFactor.
	VisitPathFactor(ctx *PathFactorContext) interface{}

	// Visit a parse tree produced by GQLParser#pathPrimary.
	VisitPathPrimary(ctx *PathPrimaryContext) interface{}

	// Visit a parse tree produced by GQLParser#nodePattern.
	VisitNodePattern(ctx *NodePatternContext) interface{}

	// Visit a parse tree produced by GQLParser#edgeAny.
	VisitEdgeAny(ctx *EdgeAnyContext) interface{}

	// Visit a parse tree produced by GQLParser#edgeLeft.
	VisitEdgeLeft(ctx *EdgeLeftContext) interface{}

	// Visit a parse tree produced by GQLParser#edgeRight.
	VisitEdgeRight(ctx *EdgeRightContext) interface{}

	// Visit a parse tree produced by GQLParser#edgeAnyShort.
	VisitEdgeAnyShort(ctx *EdgeAnyShortContext) interface{}

	// Visit a parse tree produced by GQLParser#edgeLeftShort.
	VisitEdgeLeftShort(ctx *EdgeLeftShortContext) interface{}

	// Visit a parse tree produced by GQLParser#edgeRightShort.
	VisitEdgeRightShort(ctx *EdgeRightShortContext) interface{}

	// Visit a parse tree produced by GQLParser#edgeUndirected.
	VisitEdgeUndirected(ctx *EdgeUndirectedContext) interface{}

	// Visit a parse tree produced by GQLParser#edgeFiller.
	VisitEdgeFiller(ctx *EdgeFillerContext) interface{}

	// Visit a parse tree produced by GQLParser#labelSpec.
	VisitLabelSpec(ctx *LabelSpecContext) interface{}

	// Visit a parse tree produced by GQLParser#labelExpression.
	VisitLabelExpression(ctx *LabelExpressionContext) interface{}

	// Visit a parse tree produced by GQLParser#labelTerm.
	VisitLabelTerm(ctx *LabelTermContext) interface{}

	// Visit a parse tree produced by GQLParser#labelNegation.
	VisitLabelNegation(ctx *LabelNegationContext) interface{}

	// Visit a parse tree produced by GQLParser#labelWildcard.
	VisitLabelWildcard(ctx *LabelWildcardContext) interface{}

	// Visit a parse tree produced by GQLParser#labelParen.
	VisitLabelParen(ctx *LabelParenContext) interface{}

	// Visit a parse tree produced by GQLParser#labelName.
	VisitLabelName(ctx *LabelNameContext) interface{}

	// Visit a parse tree produced by GQLParser#quantRange.
	VisitQuantRange(ctx *QuantRangeContext) interface{}

	// Visit a parse tree produced by GQLParser#quantFixed.
	VisitQuantFixed(ctx *QuantFixedContext) interface{}

	// Visit a parse tree produced by GQLParser#quantStar.
	VisitQuantStar(ctx *QuantStarContext) interface{}

	// Visit a parse tree produced by GQLParser#quantPlus.
	VisitQuantPlus(ctx *QuantPlusContext) interface{}

	// Visit a parse tree produced by GQLParser#properties.
	VisitProperties(ctx *PropertiesContext) interface{}

	// Visit a parse tree produced by GQLParser#expression.
	VisitExpression(ctx *ExpressionContext) interface{}

	// Visit a parse tree produced by GQLParser#orExpression.
	VisitOrExpression(ctx *OrExpressionContext) interface{}

	// Visit a parse tree produced by GQLParser#xorExpression.
	VisitXorExpression(ctx *XorExpressionContext) interface{}

	// Visit a parse tree produced by GQLParser#andExpression.
	VisitAndExpression(ctx *AndExpressionContext) interface{}

	// Visit a parse tree produced by GQLParser#notExpression.
	VisitNotExpression(ctx *NotExpressionContext) interface{}

	// Visit a parse tree produced by GQLParser#truthExpression.
	VisitTruthExpression(ctx *TruthExpressionContext) interface{}

	// Visit a parse tree produced by GQLParser#comparisonExpression.
	VisitComparisonExpression(ctx *ComparisonExpressionContext) interface{}

	// Visit a parse tree produced by GQLParser#comparisonOperator.
	VisitComparisonOperator(ctx *ComparisonOperatorContext) interface{}

	// Visit a parse tree produced by GQLParser#predicateExpression.
	VisitPredicateExpression(ctx *PredicateExpressionContext) interface{}

	// Visit a parse tree produced by GQLParser#isNull.
	VisitIsNull(ctx *IsNullContext) interface{}

	// Visit a parse tree produced by GQLParser#isTyped.
	VisitIsTyped(ctx *IsTypedContext) interface{}

	// Visit a parse tree produced by GQLParser#isLabeled.
	VisitIsLabeled(ctx *IsLabeledContext) interface{}

	// Visit a parse tree produced by GQLParser#hasLabel.
	VisitHasLabel(ctx *HasLabelContext) interface{}

	// Visit a parse tree produced by GQLParser#startsWith.
	VisitStartsWith(ctx *StartsWithContext) interface{}

	// Visit a parse tree produced by GQLParser#endsWith.
	VisitEndsWith(ctx *EndsWithContext) interface{}

	// Visit a parse tree produced by GQLParser#contains.
	VisitContains(ctx *ContainsContext) interface{}

	// Visit a parse tree produced by GQLParser#inList.
	VisitInList(ctx *InListContext) interface{}

	// Visit a parse tree produced by GQLParser#valueType.
	VisitValueType(ctx *ValueTypeContext) interface{}

	// Visit a parse tree produced by GQLParser#typeWord.
	VisitTypeWord(ctx *TypeWordContext) interface{}

	// Visit a parse tree produced by GQLParser#concatExpression.
	VisitConcatExpression(ctx *ConcatExpressionContext) interface{}

	// Visit a parse tree produced by GQLParser#addExpression.
	VisitAddExpression(ctx *AddExpressionContext) interface{}

	// Visit a parse tree produced by GQLParser#multExpression.
	VisitMultExpression(ctx *MultExpressionContext) interface{}

	// Visit a parse tree produced by GQLParser#unaryExpression.
	VisitUnaryExpression(ctx *UnaryExpressionContext) interface{}

	// Visit a parse tree produced by GQLParser#postfixExpression.
	VisitPostfixExpression(ctx *PostfixExpressionContext) interface{}

	// Visit a parse tree produced by GQLParser#propertyLookup.
	VisitPropertyLookup(ctx *PropertyLookupContext) interface{}

	// Visit a parse tree produced by GQLParser#indexLookup.
	VisitIndexLookup(ctx *IndexLookupContext) interface{}

	// Visit a parse tree produced by GQLParser#sliceLookup.
	VisitSliceLookup(ctx *SliceLookupContext) interface{}

	// Visit a parse tree produced by GQLParser#literalPrimary.
	VisitLiteralPrimary(ctx *LiteralPrimaryContext) interface{}

	// Visit a parse tree produced by GQLParser#parameterPrimary.
	VisitParameterPrimary(ctx *ParameterPrimaryContext) interface{}

	// Visit a parse tree produced by GQLParser#casePrimary.
	VisitCasePrimary(ctx *CasePrimaryContext) interface{}

	// Visit a parse tree produced by GQLParser#nullifPrimary.
	VisitNullifPrimary(ctx *NullifPrimaryContext) interface{}

	// Visit a parse tree produced by GQLParser#coalescePrimary.
	VisitCoalescePrimary(ctx *CoalescePrimaryContext) interface{}

	// Visit a parse tree produced by GQLParser#countStar.
	VisitCountStar(ctx *CountStarContext) interface{}

	// Visit a parse tree produced by GQLParser#existsPrimary.
	VisitExistsPrimary(ctx *ExistsPrimaryContext) interface{}

	// Visit a parse tree produced by GQLParser#castPrimary.
	VisitCastPrimary(ctx *CastPrimaryContext) interface{}

	// Visit a parse tree produced by GQLParser#clockPrimary.
	VisitClockPrimary(ctx *ClockPrimaryContext) interface{}

	// Visit a parse tree produced by GQLParser#typedLiteral.
	VisitTypedLiteral(ctx *TypedLiteralContext) interface{}

	// Visit a parse tree produced by GQLParser#functionCall.
	VisitFunctionCall(ctx *FunctionCallContext) interface{}

	// Visit a parse tree produced by GQLParser#parenthesized.
	VisitParenthesized(ctx *ParenthesizedContext) interface{}

	// Visit a parse tree produced by GQLParser#variablePrimary.
	VisitVariablePrimary(ctx *VariablePrimaryContext) interface{}

	// Visit a parse tree produced by GQLParser#numLit.
	VisitNumLit(ctx *NumLitContext) interface{}

	// Visit a parse tree produced by GQLParser#stringLit.
	VisitStringLit(ctx *StringLitContext) interface{}

	// Visit a parse tree produced by GQLParser#trueLit.
	VisitTrueLit(ctx *TrueLitContext) interface{}

	// Visit a parse tree produced by GQLParser#falseLit.
	VisitFalseLit(ctx *FalseLitContext) interface{}

	// Visit a parse tree produced by GQLParser#nullLit.
	VisitNullLit(ctx *NullLitContext) interface{}

	// Visit a parse tree produced by GQLParser#listLit.
	VisitListLit(ctx *ListLitContext) interface{}

	// Visit a parse tree produced by GQLParser#recordLit.
	VisitRecordLit(ctx *RecordLitContext) interface{}

	// Visit a parse tree produced by GQLParser#numberLiteral.
	VisitNumberLiteral(ctx *NumberLiteralContext) interface{}

	// Visit a parse tree produced by GQLParser#integerLiteral.
	VisitIntegerLiteral(ctx *IntegerLiteralContext) interface{}

	// Visit a parse tree produced by GQLParser#parameter.
	VisitParameter(ctx *ParameterContext) interface{}

	// Visit a parse tree produced by GQLParser#caseExpression.
	VisitCaseExpression(ctx *CaseExpressionContext) interface{}

	// Visit a parse tree produced by GQLParser#caseWhen.
	VisitCaseWhen(ctx *CaseWhenContext) interface{}

	// Visit a parse tree produced by GQLParser#functionName.
	VisitFunctionName(ctx *FunctionNameContext) interface{}

	// Visit a parse tree produced by GQLParser#variable.
	VisitVariable(ctx *VariableContext) interface{}

	// Visit a parse tree produced by GQLParser#propertyKey.
	VisitPropertyKey(ctx *PropertyKeyContext) interface{}

	// Visit a parse tree produced by GQLParser#symbolicName.
	VisitSymbolicName(ctx *SymbolicNameContext) interface{}

	// Visit a parse tree produced by GQLParser#schemaName.
	VisitSchemaName(ctx *SchemaNameContext) interface{}

	// Visit a parse tree produced by GQLParser#reservedWord.
	VisitReservedWord(ctx *ReservedWordContext) interface{}
}
