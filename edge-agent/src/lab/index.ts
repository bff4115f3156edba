export { LabExperiments, realScheduler, startRequest, maxRateHz, maxDurationS, type LabScheduler, type StartRequest } from './experiments.ts';
export { LabError, labErrorCodes, type LabErrorCode } from './errors.ts';
export { experimentCsv, experimentXlsx, type Lang } from './export.ts';
export { labRoutes, type LabAccess } from './routes.ts';
export { labSensors, type LabSensorInfo } from './sensors.ts';
export { ExperimentStore, type ExperimentMeta, type ExperimentState, type Mark, type Row } from './store.ts';
