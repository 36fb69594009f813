export type { ChainExpression, ExpressionAnalysis, ExpressionReference, PathSegment, TemplatePart, ValueTemplate } from './template-model.ts';
export { listTemplateExpressions, literalValueOf } from './template-model.ts';
export { splitTemplate, containsExpression, type SplitPart, type SplitTemplate } from './split-template.ts';
export { compileExpression, EVALUATION_LIMITS, type CompileOutcome, type CompiledExpression } from './compile-expression.ts';
export { analyzeExpression, dependsOnlyOn, JSONATA_FUNCTIONS } from './analyze-expression.ts';
export { buildTemplate, buildStringTemplate, FORBIDDEN_FUNCTIONS, type TemplateContext } from './build-template.ts';
export { evaluateExpression, evaluateCondition, isTruthy, type ExpressionScope } from './evaluate-expression.ts';
export { renderTemplate, stringifyForText, type RenderOptions } from './render-template.ts';
export { subStepResultReferenceOf, formatBatchReference, NOT_YET, type BatchReferences, type SubStepResultReference } from './batch-reference.ts';
