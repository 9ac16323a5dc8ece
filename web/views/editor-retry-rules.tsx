/**
 * The retry rules of a task (docs/api.md "Retry rules"): per outcome of an attempt, its own delay and its own
 * maximum. An empty row is no rule: that outcome keeps the task's tryInterval / maxAttempt.
 */
import { valueOf } from './form-fields.js';
import { RULE_OUTCOMES, type Errors, type RuleDraft, type RuleOutcome } from './editor-task-model.js';

/** What each outcome means, in the operator's words. */
const OUTCOME_LABEL: Record<RuleOutcome, string> = {
  busy: 'busy',
  noAnswer: 'no answer',
  congestion: 'congestion / unavailable',
  machine: 'answering machine (amd hangup)',
  surveyUnfinished: 'survey not finished',
  agentBusy: 'agent busy',
  agentNoAnswer: 'agent did not answer',
  hungUpBeforeAgent: 'hung up before the agent',
  provider: 'provider failure',
  other: 'any other failure',
  success: 'success (only with "until signalled")',
};

export function RetryRulesTable({ rules, errors, onChange }: { rules: Record<RuleOutcome, RuleDraft>; errors: Errors; onChange: (o: RuleOutcome, r: RuleDraft) => void }) {
  return (
    <table class="compact" id="retry-rules">
      <thead>
        <tr><th>outcome</th><th>retry after (s)</th><th>at most (attempts ending so)</th></tr>
      </thead>
      <tbody>
        {RULE_OUTCOMES.map((o) => {
          const r = rules[o];
          const errs = [...(errors.get(`retryRules.${o}`) ?? []), ...(errors.get(`retryRules.${o}.delay`) ?? []).map((e) => `delay ${e}`), ...(errors.get(`retryRules.${o}.max`) ?? []).map((e) => `max ${e}`)];
          return (
            <tr data-outcome={o}>
              <td>{OUTCOME_LABEL[o]}</td>
              <td><input name={`retryRules.${o}.delay`} inputMode="numeric" placeholder="tryInterval" value={r.delay} onInput={(e) => onChange(o, { ...r, delay: valueOf(e) })} /></td>
              <td>
                <input name={`retryRules.${o}.max`} inputMode="numeric" placeholder="maxAttempt" value={r.max} onInput={(e) => onChange(o, { ...r, max: valueOf(e) })} />
                {errs.map((e) => <div class="field-err">{e}</div>)}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
