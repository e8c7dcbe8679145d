// Code generated from GQL.g4 by ANTLR 4.13.1. DO NOT EDIT.

package gql // GQL
import "github.com/antlr4-go/antlr/v4"

type BaseGQLVisitor struct {
	*antlr.BaseParseTreeVisitor
}

func (v *BaseGQLVisitor) VisitRequest(ctx *RequestContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitQuery(ctx *QueryContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitCompositeQuery(ctx *CompositeQueryContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitSetOperator(ctx *SetOperatorContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitLinearQuery(ctx *LinearQueryContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitStatement(ctx *StatementContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitMatchStatement(ctx *MatchStatementContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitFilterStatement(ctx *FilterStatementContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitLetStatement(ctx *LetStatementContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitLetBinding(ctx *LetBindingContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitForStatement(ctx *ForStatementContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitYieldStatement(ctx *YieldStatementContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitYieldItem(ctx *YieldItemContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitOrderPageStatement(ctx *OrderPageStatementContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitReturnStatement(ctx *ReturnStatementContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitReturnItems(ctx *ReturnItemsContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitGroupByClause(ctx *GroupByClauseContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitOrderByClause(ctx *OrderByClauseContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitSortSpec(ctx *SortSpecContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitOffsetClause(ctx *OffsetClauseContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitLimitClause(ctx *LimitClauseContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitUnsupportedStatement(ctx *UnsupportedStatementContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitUnsupportedKeyword(ctx *UnsupportedKeywordContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitGraphPattern(ctx *GraphPatternContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitMatchMode(ctx *MatchModeContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitKeepClause(ctx *KeepClauseContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitPathPattern(ctx *PathPatternContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitPathPrefix(ctx *PathPrefixContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitPathMode(ctx *PathModeContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitPathExpression(ctx *PathExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitPathTerm(ctx *PathTermContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitPathFactor(ctx *PathFactorContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitPathPrimary(ctx *PathPrimaryContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitNodePattern(ctx *NodePatternContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitEdgeAny(ctx *EdgeAnyContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitEdgeLeft(ctx *EdgeLeftContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitEdgeRight(ctx *EdgeRightContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitEdgeAnyShort(ctx *EdgeAnyShortContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitEdgeLeftShort(ctx *EdgeLeftShortContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitEdgeRightShort(ctx *EdgeRightShortContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitEdgeUndirected(ctx *EdgeUndirectedContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitEdgeFiller(ctx *EdgeFillerContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitLabelSpec(ctx *LabelSpecContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitLabelExpression(ctx *LabelExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitLabelTerm(ctx *LabelTermContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitLabelNegation(ctx *LabelNegationContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitLabelWildcard(ctx *LabelWildcardContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitLabelParen(ctx *LabelParenContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitLabelName(ctx *LabelNameContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitQuantRange(ctx *QuantRangeContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitQuantFixed(ctx *QuantFixedContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitQuantStar(ctx *QuantStarContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitQuantPlus(ctx *QuantPlusContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitProperties(ctx *PropertiesContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitExpression(ctx *ExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitOrExpression(ctx *OrExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitXorExpression(ctx *XorExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitAndExpression(ctx *AndExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitNotExpression(ctx *NotExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitTruthExpression(ctx *TruthExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitComparisonExpression(ctx *ComparisonExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitComparisonOperator(ctx *ComparisonOperatorContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitPredicateExpression(ctx *PredicateExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitIsNull(ctx *IsNullContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitIsTyped(ctx *IsTypedContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitIsLabeled(ctx *IsLabeledContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitHasLabel(ctx *HasLabelContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitStartsWith(ctx *StartsWithContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitEndsWith(ctx *EndsWithContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitContains(ctx *ContainsContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitInList(ctx *InListContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitValueType(ctx *ValueTypeContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitTypeWord(ctx *TypeWordContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitConcatExpression(ctx *ConcatExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitAddExpression(ctx *AddExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitMultExpression(ctx *MultExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitUnaryExpression(ctx *UnaryExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitPostfixExpression(ctx *PostfixExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitPropertyLookup(ctx *PropertyLookupContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitIndexLookup(ctx *IndexLookupContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitSliceLookup(ctx *SliceLookupContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitLiteralPrimary(ctx *LiteralPrimaryContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitParameterPrimary(ctx *ParameterPrimaryContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitCasePrimary(ctx *CasePrimaryContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitNullifPrimary(ctx *NullifPrimaryContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitCoalescePrimary(ctx *CoalescePrimaryContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitCountStar(ctx *CountStarContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitExistsPrimary(ctx *ExistsPrimaryContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitCastPrimary(ctx *CastPrimaryContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitClockPrimary(ctx *ClockPrimaryContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitTypedLiteral(ctx *TypedLiteralContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitFunctionCall(ctx *FunctionCallContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitParenthesized(ctx *ParenthesizedContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitVariablePrimary(ctx *VariablePrimaryContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitNumLit(ctx *NumLitContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitStringLit(ctx *StringLitContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitTrueLit(ctx *TrueLitContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitFalseLit(ctx *FalseLitContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitNullLit(ctx *NullLitContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitListLit(ctx *ListLitContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitRecordLit(ctx *RecordLitContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitNumberLiteral(ctx *NumberLiteralContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitIntegerLiteral(ctx *IntegerLiteralContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitParameter(ctx *ParameterContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitCaseExpression(ctx *CaseExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitCaseWhen(ctx *CaseWhenContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitFunctionName(ctx *FunctionNameContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitVariable(ctx *VariableContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitPropertyKey(ctx *PropertyKeyContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitSymbolicName(ctx *SymbolicNameContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitSchemaName(ctx *SchemaNameContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseGQLVisitor) VisitReservedWord(ctx *ReservedWordContext) interface{} {
	return v.VisitChildren(ctx)
}
