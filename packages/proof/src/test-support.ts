import { landmarkAt, signedMeasurement, type TestLandmark } from '../../../test/support/measurements.js';

export { landmarkAt, type TestLandmark };
export const measure = signedMeasurement;

export const LANDMARKS = (): TestLandmark[] => [
  landmarkAt('sin', 'SG', 1.3521, 103.8198),
  landmarkAt('tyo', 'JP', 35.6762, 139.6503),
  landmarkAt('fra', 'DE', 50.1109, 8.6821),
  landmarkAt('bom', 'IN', 19.076, 72.8777),
  landmarkAt('syd', 'AU', -33.8688, 151.2093),
];
