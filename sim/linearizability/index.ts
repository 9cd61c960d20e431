export {
  type CheckOptions,
  checkLinearizability,
  type LinearizabilityResult,
  type PartitionResult,
  type Verdict,
  type ViolationExplanation,
} from './checker.ts'
export type {
  CommandInput,
  History,
  HistoryOperation,
  HistoryReply,
  MultiInput,
  OperationInput,
  ScriptInput,
} from './history.ts'
export { toHistoryReply } from './history.ts'
export type { Model } from './model.ts'
export { partitionByKeys } from './partition.ts'
export {
  formatLinearizability,
  type LinearizabilityView,
  linearizabilityView,
  type OperationView,
  type PartitionView,
} from './report.ts'
export { searchLinearization } from './search.ts'
