import type { Case, Workflow } from "../schema/index.js";
import { ConditionFieldCounter } from "./condition-fields.js";
import { ConditionTypeCounter } from "./condition-types.js";
import { PlaybookFilterCounter } from "./playbook-filters.js";
import { PlaybookInputCounter } from "./playbook-inputs.js";
import { RuleOrderCounter } from "./rule-order.js";

/** What only the data can show wrong in a workflow, each counted case by case and said at the workflow's lines. */
export type WorkflowDataCheck = {
  add(c: Case): void;
  /** `whole`: false when the cases were a sample (run's and gate's first cases), not the dataset */
  warnings(workflowFile: string, dataset: string, whole?: boolean): string[];
};

/**
 * Condition fields no record has, condition values of another type than the data's, playbook
 * inputs no alert fills, playbook filters no record matches, decision rules that decide no case.
 */
export function workflowDataChecks(wf: Workflow): WorkflowDataCheck[] {
  return [
    new ConditionFieldCounter(wf),
    new ConditionTypeCounter(wf),
    new PlaybookInputCounter(wf),
    new PlaybookFilterCounter(wf),
    new RuleOrderCounter(wf),
  ];
}
