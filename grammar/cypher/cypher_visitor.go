// Code generated from Cypher.g4 by ANTLR 4.13.1. DO NOT EDIT.

package cypher // Cypher
import "github.com/antlr4-go/antlr/v4"

// A complete Visitor for a parse tree produced by CypherParser.
type CypherVisitor interface {
	antlr.ParseTreeVisitor

	// Visit a parse tree produced by CypherParser#script.
	VisitScript(ctx *ScriptContext) interface{}

	// Visit a parse tree produced by CypherParser#query.
	VisitQuery(ctx *QueryContext) interface{}

	// Visit a parse tree produced by CypherParser#unionPart.
	VisitUnionPart(ctx *UnionPartContext) interface{}

	// Visit a parse tree produced by CypherParser#singleQuery.
	VisitSingleQuery(ctx *SingleQueryContext) interface{}

	// Visit a parse tree produced by CypherParser#clause.
	VisitClause(ctx *ClauseContext) interface{}

	// Visit a parse tree produced by CypherParser#matchClause.
	VisitMatchClause(ctx *MatchClauseContext) interface{}

	// Visit a parse tree produced by CypherParser#unwindClause.
	VisitUnwindClause(ctx *UnwindClauseContext) interface{}

	// Visit a parse tree produced by CypherParser#withClause.
	VisitWithClause(ctx *WithClauseContext) interface{}

	// Visit a parse tree produced by CypherParser#returnClause.
	VisitReturnClause(ctx *ReturnClauseContext) interface{}

	// Visit a parse tree produced by CypherParser#projectionBody.
	VisitProjectionBody(ctx *ProjectionBodyContext) interface{}

	// Visit a parse tree produced by CypherParser#projectionItems.
	VisitProjectionItems(ctx *ProjectionItemsContext) interface{}

	// Visit a parse tree produced by CypherParser#projectionItem.
	VisitProjectionItem(ctx *ProjectionItemContext) interface{}

	// Visit a parse tree produced by CypherParser#orderClause.
	VisitOrderClause(ctx *OrderClauseContext) interface{}

	// Visit a parse tree produced by CypherParser#sortItem.
	VisitSortItem(ctx *SortItemContext) interface{}

	// Visit a parse tree produced by CypherParser#skipClause.
	VisitSkipClause(ctx *SkipClauseContext) interface{}

	// Visit a parse tree produced by CypherParser#limitClause.
	VisitLimitClause(ctx *LimitClauseContext) interface{}

	// Visit a parse tree produced by CypherParser#whereClause.
	VisitWhereClause(ctx *WhereClauseContext) interface{}

	// Visit a parse tree produced by CypherParser#createClause.
	VisitCreateClause(ctx *CreateClauseContext) interface{}

	// Visit a parse tree produced by CypherParser#mergeClause.
	VisitMergeClause(ctx *MergeClauseContext) interface{}

	// Visit a parse tree produced by CypherParser#mergeAction.
	VisitMergeAction(ctx *MergeActionContext) interface{}

	// Visit a parse tree produced by CypherParser#setClause.
	VisitSetClause(ctx *SetClauseContext) interface{}

	// Visit a parse tree produced by CypherParser#setItem.
	VisitSetItem(ctx *SetItemContext) interface{}

	// Visit a parse tree produced by CypherParser#deleteClause.
	VisitDeleteClause(ctx *DeleteClauseContext) interface{}

	// Visit a parse tree produced by CypherParser#removeClause.
	VisitRemoveClause(ctx *RemoveClauseContext) interface{}

	// Visit a parse tree produced by CypherParser#removeItem.
	VisitRemoveItem(ctx *RemoveItemContext) interface{}

	// Visit a parse tree produced by CypherParser#callClause.
	VisitCallClause(ctx *CallClauseContext) interface{}

	// Visit a parse tree produced by CypherParser#yieldPart.
	VisitYieldPart(ctx *YieldPartContext) interface{}

	// Visit a parse tree produced by CypherParser#yieldItem.
	VisitYieldItem(ctx *YieldItemContext) interface{}

	// Visit a parse tree produced by CypherParser#pattern.
	VisitPattern(ctx *PatternContext) interface{}

	// Visit a parse tree produced by CypherParser#patternPart.
	VisitPatternPart(ctx *PatternPartContext) interface{}

	// Visit a parse tree produced by CypherParser#patternElement.
	VisitPatternElement(ctx *PatternElementContext) interface{}

	// Visit a parse tree produced by CypherParser#relationshipsPattern.
	VisitRelationshipsPattern(ctx *RelationshipsPatternContext) interface{}

	// Visit a parse tree produced by CypherParser#nodePattern.
	VisitNodePattern(ctx *NodePatternContext) interface{}

	// Visit a parse tree produced by CypherParser#relBoth.
	VisitRelBoth(ctx *RelBothContext) interface{}

	// Visit a parse tree produced by CypherParser#relLeft.
	VisitRelLeft(ctx *RelLeftContext) interface{}

	// Visit a parse tree produced by CypherParser#relRight.
	VisitRelRight(ctx *RelRightContext) interface{}

	// Visit a parse tree produced by CypherParser#relationshipDetail.
	VisitRelationshipDetail(ctx *RelationshipDetailContext) interface{}

	// Visit a parse tree produced by CypherParser#labelAnd.
	VisitLabelAnd(ctx *LabelAndContext) interface{}

	// Visit a parse tree produced by CypherParser#labelOr.
	VisitLabelOr(ctx *LabelOrContext) interface{}

	// Visit a parse tree produced by CypherParser#labelSingle.
	VisitLabelSingle(ctx *LabelSingleContext) interface{}

	// Visit a parse tree produced by CypherParser#labelName.
	VisitLabelName(ctx *LabelNameContext) interface{}

	// Visit a parse tree produced by CypherParser#rangeLiteral.
	VisitRangeLiteral(ctx *RangeLiteralContext) interface{}

	// Visit a parse tree produced by CypherParser#rangeBound.
	VisitRangeBound(ctx *RangeBoundContext) interface{}

	// Visit a parse tree produced by CypherParser#properties.
	VisitProperties(ctx *PropertiesContext) interface{}

	// Visit a parse tree produced by CypherParser#expression.
	VisitExpression(ctx *ExpressionContext) interface{}

	// Visit a parse tree produced by CypherParser#orExpression.
	VisitOrExpression(ctx *OrExpressionContext) interface{}

	// Visit a parse tree produced by CypherParser#xorExpression.
	VisitXorExpression(ctx *XorExpressionContext) interface{}

	// Visit a parse tree produced by CypherParser#andExpression.
	VisitAndExpression(ctx *AndExpressionContext) interface{}

	// Visit a parse tree produced by CypherParser#notExpression.
	VisitNotExpression(ctx *NotExpressionContext) interface{}

	// Visit a parse tree produced by CypherParser#comparisonExpression.
	VisitComparisonExpression(ctx *ComparisonExpressionContext) interface{}

	// Visit a parse tree produced by CypherParser#comparisonOperator.
	VisitComparisonOperator(ctx *ComparisonOperatorContext) interface{}

	// Visit a parse tree produced by CypherParser#predicateExpression.
	VisitPredicateExpression(ctx *PredicateExpressionContext) interface{}

	// Visit a parse tree produced by CypherParser#startsWith.
	VisitStartsWith(ctx *StartsWithContext) interface{}

	// Visit a parse tree produced by CypherParser#endsWith.
	VisitEndsWith(ctx *EndsWithContext) interface{}

	// Visit a parse tree produced by CypherParser#contains.
	VisitContains(ctx *ContainsContext) interface{}

	// Visit a parse tree produced by CypherParser#regexMatch.
	VisitRegexMatch(ctx *RegexMatchContext) interface{}

	// Visit a parse tree produced by CypherParser#inList.
	VisitInList(ctx *InListContext) interface{}

	// Visit a parse tree produced by CypherParser#isNull.
	VisitIsNull(ctx *IsNullContext) interface{}

	// Visit a parse tree produced by CypherParser#addExpression.
	VisitAddExpression(ctx *AddExpressionContext) interface{}

	// Visit a parse tree produced by CypherParser#multExpression.
	VisitMultExpression(ctx *MultExpressionContext) interface{}

	// Visit a parse tree produced by CypherParser#powerExpression.
	VisitPowerExpression(ctx *PowerExpressionContext) interface{}

	// Visit a parse tree produced by CypherParser#unaryExpression.
	VisitUnaryExpression(ctx *UnaryExpressionContext) interface{}

	// Visit a parse tree produced by CypherParser#postfixExpression.
	VisitPostfixExpression(ctx *PostfixExpressionContext) interface{}

	// Visit a parse tree produced by CypherParser#propertyLookup.
	VisitPropertyLookup(ctx *PropertyLookupContext) interface{}

	// Visit a parse tree produced by CypherParser#indexLookup.
	VisitIndexLookup(ctx *IndexLookupContext) interface{}

	// Visit a parse tree produced by CypherParser#sliceLookup.
	VisitSliceLookup(ctx *SliceLookupContext) interface{}

	// Visit a parse tree produced by CypherParser#labelPredicate.
	VisitLabelPredicate(ctx *LabelPredicateContext) interface{}

	// Visit a parse tree produced by CypherParser#listComprehensionAtom.
	VisitListComprehensionAtom(ctx *ListComprehensionAtomContext) interface{}

	// Visit a parse tree produced by CypherParser#patternComprehensionAtom.
	VisitPatternComprehensionAtom(ctx *PatternComprehensionAtomContext) interface{}

	// Visit a parse tree produced by CypherParser#literalAtom.
	VisitLiteralAtom(ctx *LiteralAtomContext) interface{}

	// Visit a parse tree produced by CypherParser#parameterAtom.
	VisitParameterAtom(ctx *ParameterAtomContext) interface{}

	// Visit a parse tree produced by CypherParser#caseAtom.
	VisitCaseAtom(ctx *CaseAtomContext) interface{}

	// Visit a parse tree produced by CypherParser#countStar.
	VisitCountStar(ctx *CountStarContext) interface{}

	// Visit a parse tree produced by CypherParser#quantifierAtom.
	VisitQuantifierAtom(ctx *QuantifierAtomContext) interface{}

	// Visit a parse tree produced by CypherParser#reduceAtom.
	VisitReduceAtom(ctx *ReduceAtomContext) interface{}

	// Visit a parse tree produced by CypherParser#existsAtom.
	VisitExistsAtom(ctx *ExistsAtomContext) interface{}

	// Visit a parse tree produced by CypherParser#patternPredicate.
	VisitPatternPredicate(ctx *PatternPredicateContext) interface{}

	// Visit a parse tree produced by CypherParser#parenthesized.
	VisitParenthesized(ctx *ParenthesizedContext) interface{}

	// Visit a parse tree produced by CypherParser#functionAtom.
	VisitFunctionAtom(ctx *FunctionAtomContext) interface{}

	// Visit a parse tree produced by CypherParser#variableAtom.
	VisitVariableAtom(ctx *VariableAtomContext) interface{}

	// Visit a parse tree produced by CypherParser#numLit.
	VisitNumLit(ctx *NumLitContext) interface{}

	// Visit a parse tree produced by CypherParser#stringLit.
	VisitStringLit(ctx *StringLitContext) interface{}

	// Visit a parse tree produced by CypherParser#trueLit.
	VisitTrueLit(ctx *TrueLitContext) interface{}

	// Visit a parse tree produced by CypherParser#falseLit.
	VisitFalseLit(ctx *FalseLitContext) interface{}

	// Visit a parse tree produced by CypherParser#nullLit.
	VisitNullLit(ctx *NullLitContext) interface{}

	// Visit a parse tree produced by CypherParser#mapLit.
	VisitMapLit(ctx *MapLitContext) interface{}

	// Visit a parse tree produced by CypherParser#listLit.
	VisitListLit(ctx *ListLitContext) interface{}

	// Visit a parse tree produced by CypherParser#numberLiteral.
	VisitNumberLiteral(ctx *NumberLiteralContext) interface{}

	// Visit a parse tree produced by CypherParser#integerLiteral.
	VisitIntegerLiteral(ctx *IntegerLiteralContext) interface{}

	// Visit a parse tree produced by CypherParser#listLiteral.
	VisitListLiteral(ctx *ListLiteralContext) interface{}

	// Visit a parse tree produced by CypherParser#mapLiteral.
	VisitMapLiteral(ctx *MapLiteralContext) interface{}

	// Visit a parse tree produced by CypherParser#parameter.
	VisitParameter(ctx *ParameterContext) interface{}

	// Visit a parse tree produced by CypherParser#caseExpression.
	VisitCaseExpression(ctx *CaseExpressionContext) interface{}

	// Visit a parse tree produced by CypherParser#caseAlternative.
	VisitCaseAlternative(ctx *CaseAlternativeContext) interface{}

	// Visit a parse tree produced by CypherParser#listComprehension.
	VisitListComprehension(ctx *ListComprehensionContext) interface{}

	// Visit a parse tree produced by CypherParser#patternComprehension.
	VisitPatternComprehension(ctx *PatternComprehensionContext) interface{}

	// Visit a parse tree produced by CypherParser#quantifier.
	VisitQuantifier(ctx *QuantifierContext) interface{}

	// Visit a parse tree produced by CypherParser#reduceExpression.
	VisitReduceExpression(ctx *ReduceExpressionContext) interface{}

	// Visit a parse tree produced by CypherParser#existsSubquery.
	VisitExistsSubquery(ctx *ExistsSubqueryContext) interface{}

	// Visit a parse tree produced by CypherParser#functionInvocation.
	VisitFunctionInvocation(ctx *FunctionInvocationContext) interface{}

	// Visit a parse tree produced by CypherParser#qualifiedName.
	VisitQualifiedName(ctx *QualifiedNameContext) interface{}

	// Visit a parse tree produced by CypherParser#variable.
	VisitVariable(ctx *VariableContext) interface{}

	// Visit a parse tree produced by CypherParser#softKeyword.
	VisitSoftKeyword(ctx *SoftKeywordContext) interface{}

	// Visit a parse tree produced by CypherParser#propertyKey.
	VisitPropertyKey(ctx *PropertyKeyContext) interface{}

	// Visit a parse tree produced by CypherParser#symbolicName.
	VisitSymbolicName(ctx *SymbolicNameContext) interface{}

	// Visit a parse tree produced by CypherParser#schemaName.
	VisitSchemaName(ctx *SchemaNameContext) interface{}

	// Visit a parse tree produced by CypherParser#reservedWord.
	VisitReservedWord(ctx *ReservedWordContext) interface{}
}
