/** The abr layer: throughput estimation and the adaptive bitrate controller. */
export {
  AbrController,
  type AbrControllerDeps,
  type AbrDecision,
  type AbrReason,
  type AbrVariant,
} from './abr-controller.js';
export { ABR_DEFAULTS, resolveAbrOptions, type AbrOptions, type ResolvedAbrOptions } from './abr-options.js';
export {
  ESTIMATOR_DEFAULTS,
  ThroughputEstimator,
  type BandwidthEstimator,
  type SampleSource,
  type ThroughputEstimatorOptions,
  type ThroughputSample,
} from './throughput-estimator.js';
