export { ManualClock, wallClock, type SimClock } from './clock.ts';
export {
  capacitorDischarge,
  classroomSound,
  defaultPhenomena,
  dimmingLamp,
  dryingSoil,
  measure,
  newtonCooling,
  roomAir,
  springCart,
  titration,
  type Phenomenon,
} from './phenomena.ts';
export { LabSensor, toRaw, type LabSensorOptions, type Transfer } from './sensor.ts';
