// Code generated from Cypher.g4 by ANTLR 4.13.1. DO NOT EDIT.

package cypher // Cypher
import "github.com/antlr4-go/antlr/v4"

type BaseCypherVisitor struct {
	*antlr.BaseParseTreeVisitor
}

func (v *BaseCypherVisitor) VisitScript(ctx *ScriptContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitQuery(ctx *QueryContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitUnionPart(ctx *UnionPartContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitSingleQuery(ctx *SingleQueryContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitClause(ctx *ClauseContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitMatchClause(ctx *MatchClauseContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitUnwindClause(ctx *UnwindClauseContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitWithClause(ctx *WithClauseContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitReturnClause(ctx *ReturnClauseContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitProjectionBody(ctx *ProjectionBodyContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitProjectionItems(ctx *ProjectionItemsContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitProjectionItem(ctx *ProjectionItemContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitOrderClause(ctx *OrderClauseContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitSortItem(ctx *SortItemContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitSkipClause(ctx *SkipClauseContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitLimitClause(ctx *LimitClauseContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitWhereClause(ctx *WhereClauseContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitCreateClause(ctx *CreateClauseContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitMergeClause(ctx *MergeClauseContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitMergeAction(ctx *MergeActionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitSetClause(ctx *SetClauseContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitSetItem(ctx *SetItemContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitDeleteClause(ctx *DeleteClauseContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitRemoveClause(ctx *RemoveClauseContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitRemoveItem(ctx *RemoveItemContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitCallClause(ctx *CallClauseContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitYieldPart(ctx *YieldPartContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitYieldItem(ctx *YieldItemContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitPattern(ctx *PatternContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitPatternPart(ctx *PatternPartContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitPatternElement(ctx *PatternElementContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitRelationshipsPattern(ctx *RelationshipsPatternContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitNodePattern(ctx *NodePatternContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitRelBoth(ctx *RelBothContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitRelLeft(ctx *RelLeftContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitRelRight(ctx *RelRightContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitRelationshipDetail(ctx *RelationshipDetailContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitLabelAnd(ctx *LabelAndContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitLabelOr(ctx *LabelOrContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitLabelSingle(ctx *LabelSingleContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitLabelName(ctx *LabelNameContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitRangeLiteral(ctx *RangeLiteralContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitRangeBound(ctx *RangeBoundContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitProperties(ctx *PropertiesContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitExpression(ctx *ExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitOrExpression(ctx *OrExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitXorExpression(ctx *XorExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitAndExpression(ctx *AndExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitNotExpression(ctx *NotExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitComparisonExpression(ctx *ComparisonExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitComparisonOperator(ctx *ComparisonOperatorContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitPredicateExpression(ctx *PredicateExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitStartsWith(ctx *StartsWithContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitEndsWith(ctx *EndsWithContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitContains(ctx *ContainsContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitRegexMatch(ctx *RegexMatchContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitInList(ctx *InListContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitIsNull(ctx *IsNullContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitAddExpression(ctx *AddExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitMultExpression(ctx *MultExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitPowerExpression(ctx *PowerExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitUnaryExpression(ctx *UnaryExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitPostfixExpression(ctx *PostfixExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitPropertyLookup(ctx *PropertyLookupContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitIndexLookup(ctx *IndexLookupContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitSliceLookup(ctx *SliceLookupContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitLabelPredicate(ctx *LabelPredicateContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitListComprehensionAtom(ctx *ListComprehensionAtomContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitPatternComprehensionAtom(ctx *PatternComprehensionAtomContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitLiteralAtom(ctx *LiteralAtomContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitParameterAtom(ctx *ParameterAtomContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitCaseAtom(ctx *CaseAtomContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitCountStar(ctx *CountStarContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitQuantifierAtom(ctx *QuantifierAtomContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitReduceAtom(ctx *ReduceAtomContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitExistsAtom(ctx *ExistsAtomContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitPatternPredicate(ctx *PatternPredicateContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitParenthesized(ctx *ParenthesizedContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitFunctionAtom(ctx *FunctionAtomContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitVariableAtom(ctx *VariableAtomContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitNumLit(ctx *NumLitContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitStringLit(ctx *StringLitContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitTrueLit(ctx *TrueLitContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitFalseLit(ctx *FalseLitContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitNullLit(ctx *NullLitContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitMapLit(ctx *MapLitContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitListLit(ctx *ListLitContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitNumberLiteral(ctx *NumberLiteralContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitIntegerLiteral(ctx *IntegerLiteralContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitListLiteral(ctx *ListLiteralContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitMapLiteral(ctx *MapLiteralContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitParameter(ctx *ParameterContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitCaseExpression(ctx *CaseExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitCaseAlternative(ctx *CaseAlternativeContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitListComprehension(ctx *ListComprehensionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitPatternComprehension(ctx *PatternComprehensionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitQuantifier(ctx *QuantifierContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitReduceExpression(ctx *ReduceExpressionContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitExistsSubquery(ctx *ExistsSubqueryContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitFunctionInvocation(ctx *FunctionInvocationContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitQualifiedName(ctx *QualifiedNameContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitVariable(ctx *VariableContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitSoftKeyword(ctx *SoftKeywordContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitPropertyKey(ctx *PropertyKeyContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitSymbolicName(ctx *SymbolicNameContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitSchemaName(ctx *SchemaNameContext) interface{} {
	return v.VisitChildren(ctx)
}

func (v *BaseCypherVisitor) VisitReservedWord(ctx *ReservedWordContext) interface{} {
	return v.VisitChildren(ctx)
}
