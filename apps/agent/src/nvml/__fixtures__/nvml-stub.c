/*
 * A stand-in for libnvidia-ml.so.1 with the C signatures and struct layouts of NVIDIA's public
 * nvml.h, written for Locus's tests: the koffi binding is exercised against real C calling
 * conventions and a C compiler's struct layout. Three GPUs:
 *   0  an H100 that answers everything;
 *   1  a GPU that answers NOT_SUPPORTED for memory temperature (per field), ECC, remapped rows,
 *      the video encoder and NVLink;
 *   2  a GPU that falls off the bus: GPU_IS_LOST from its temperature on.
 * nvmlDeviceGetCurrentClocksEventReasons and nvmlDeviceGetRetiredPagesPendingStatus are left
 * out on purpose, as in old drivers: the binding must fall back or report them unsupported.
 */
#include <string.h>

typedef int nvmlReturn_t;
typedef struct { int index; } nvmlDevice_st;
typedef nvmlDevice_st *nvmlDevice_t;

typedef struct {
  char busIdLegacy[16];
  unsigned int domain;
  unsigned int bus;
  unsigned int device;
  unsigned int pciDeviceId;
  unsigned int pciSubSystemId;
  char busId[32];
} nvmlPciInfo_t;

typedef struct { unsigned int gpu; unsigned int memory; } nvmlUtilization_t;
typedef struct { unsigned long long total; unsigned long long free; unsigned long long used; } nvmlMemory_t;

typedef union {
  double dVal;
  int siVal;
  unsigned int uiVal;
  unsigned long ulVal;
  unsigned long long ullVal;
  signed long long sllVal;
  unsigned short usVal;
} nvmlValue_t;

typedef struct {
  unsigned int fieldId;
  unsigned int scopeId;
  long long timestamp;
  long long latencyUsec;
  int valueType;
  nvmlReturn_t nvmlReturn;
  nvmlValue_t value;
} nvmlFieldValue_t;

enum { OK = 0, INVALID_ARGUMENT = 2, NOT_SUPPORTED = 3, UNINITIALIZED = 1, INSUFFICIENT_SIZE = 7, GPU_IS_LOST = 15 };

static nvmlDevice_st devices[3] = {{0}, {1}, {2}};
static int initialised = 0;

static nvmlReturn_t put(char *out, unsigned int length, const char *text) {
  if (strlen(text) + 1 > length) return INSUFFICIENT_SIZE;
  strcpy(out, text);
  return OK;
}

/* GPU 2 answers its identity, then falls off the bus. */
#define GUARD(d) do { if (!initialised) return UNINITIALIZED; if ((d)->index == 2) return GPU_IS_LOST; } while (0)
#define IDENTITY_GUARD(d) do { if (!initialised) return UNINITIALIZED; } while (0)

nvmlReturn_t nvmlInit_v2(void) { initialised = 1; return OK; }
nvmlReturn_t nvmlShutdown(void) { initialised = 0; return OK; }

nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length) { return put(version, length, "570.133.20"); }
nvmlReturn_t nvmlSystemGetCudaDriverVersion(int *v) { *v = 12080; return OK; }
nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count) { *count = 3; return OK; }

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
  if (index > 2) return INVALID_ARGUMENT;
  *device = &devices[index];
  return OK;
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t d, char *uuid, unsigned int length) {
  IDENTITY_GUARD(d);
  const char *ids[3] = {"GPU-00000000-1111-2222-3333-444444444444", "GPU-11111111-1111-2222-3333-444444444444", "GPU-22222222-1111-2222-3333-444444444444"};
  return put(uuid, length, ids[d->index]);
}

nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t d, nvmlPciInfo_t *pci) {
  IDENTITY_GUARD(d);
  const char *ids[3] = {"00000000:18:00.0", "00000000:2a:00.0", "00000000:3A:00.0"};
  memset(pci, 0, sizeof *pci);
  strcpy(pci->busId, ids[d->index]);
  pci->bus = 0x18;
  pci->pciDeviceId = 0x233010de;
  return OK;
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t d, char *name, unsigned int length) { IDENTITY_GUARD(d); return put(name, length, "NVIDIA H100 80GB HBM3"); }
nvmlReturn_t nvmlDeviceGetSerial(nvmlDevice_t d, char *serial, unsigned int length) { IDENTITY_GUARD(d); return put(serial, length, "1654923000123"); }
nvmlReturn_t nvmlDeviceGetBoardPartNumber(nvmlDevice_t d, char *part, unsigned int length) { IDENTITY_GUARD(d); return put(part, length, "692-2G520-0200-000"); }
nvmlReturn_t nvmlDeviceGetBoardId(nvmlDevice_t d, unsigned int *id) { IDENTITY_GUARD(d); *id = 0x1800; return OK; }
nvmlReturn_t nvmlDeviceGetVbiosVersion(nvmlDevice_t d, char *v, unsigned int length) { IDENTITY_GUARD(d); return put(v, length, "96.00.99.00.01"); }
nvmlReturn_t nvmlDeviceGetPersistenceMode(nvmlDevice_t d, int *mode) { IDENTITY_GUARD(d); *mode = 1; return OK; }
nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t d, unsigned int *current, unsigned int *pending) { IDENTITY_GUARD(d); *current = 0; *pending = 1; return OK; }
nvmlReturn_t nvmlDeviceGetComputeMode(nvmlDevice_t d, int *mode) { IDENTITY_GUARD(d); *mode = 3; return OK; }

nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t d, int sensor, unsigned int *temp) {
  GUARD(d);
  if (sensor != 0) return INVALID_ARGUMENT;
  *temp = 61;
  return OK;
}

nvmlReturn_t nvmlDeviceGetFieldValues(nvmlDevice_t d, int count, nvmlFieldValue_t *values) {
  GUARD(d);
  for (int i = 0; i < count; i++) {
    if (values[i].fieldId != 82 || d->index == 1) { values[i].nvmlReturn = NOT_SUPPORTED; continue; }
    values[i].timestamp = 1700000000000000LL;
    values[i].latencyUsec = 5;
    values[i].valueType = 1;
    values[i].nvmlReturn = OK;
    values[i].value.uiVal = 68;
  }
  return OK;
}

nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t d, unsigned int *mw) { GUARD(d); *mw = 512345; return OK; }
nvmlReturn_t nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t d, unsigned int *mw) { GUARD(d); *mw = 700000; return OK; }
/* Past 2^32, so that a 32-bit mistake shows. */
nvmlReturn_t nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t d, unsigned long long *mj) { GUARD(d); *mj = 98765432101ULL; return OK; }

nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t d, int type, unsigned int *mhz) { GUARD(d); *mhz = type == 1 ? 1755 : type == 2 ? 2619 : 0; return OK; }
nvmlReturn_t nvmlDeviceGetMaxClockInfo(nvmlDevice_t d, int type, unsigned int *mhz) { GUARD(d); *mhz = type == 1 ? 1980 : type == 2 ? 2619 : 0; return OK; }
/* SwPowerCap | HwThermalSlowdown, through the pre-535 name only. */
nvmlReturn_t nvmlDeviceGetCurrentClocksThrottleReasons(nvmlDevice_t d, unsigned long long *reasons) { GUARD(d); *reasons = 0x4ULL | 0x40ULL; return OK; }

nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t d, nvmlUtilization_t *u) { GUARD(d); u->gpu = 87; u->memory = 41; return OK; }

/* The utilisation comes before its sampling period (in µs), which differs from it so that a swap shows. */
nvmlReturn_t nvmlDeviceGetEncoderUtilization(nvmlDevice_t d, unsigned int *utilization, unsigned int *samplingPeriodUs) {
  GUARD(d);
  if (d->index == 1) return NOT_SUPPORTED;
  *utilization = 3; *samplingPeriodUs = 167000;
  return OK;
}
nvmlReturn_t nvmlDeviceGetDecoderUtilization(nvmlDevice_t d, unsigned int *utilization, unsigned int *samplingPeriodUs) {
  GUARD(d);
  *utilization = d->index == 1 ? 0 : 27; *samplingPeriodUs = 167000;
  return OK;
}

nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t *m) {
  GUARD(d);
  m->total = 81559ULL * 1048576ULL;
  m->free = 20000ULL * 1048576ULL;
  m->used = 61559ULL * 1048576ULL;
  return OK;
}

nvmlReturn_t nvmlDeviceGetEccMode(nvmlDevice_t d, int *current, int *pending) { GUARD(d); if (d->index == 1) return NOT_SUPPORTED; *current = 1; *pending = 0; return OK; }

nvmlReturn_t nvmlDeviceGetTotalEccErrors(nvmlDevice_t d, int errorType, int counterType, unsigned long long *count) {
  GUARD(d);
  if (d->index == 1) return NOT_SUPPORTED;
  /* corrected/uncorrected × volatile/aggregate: 1, 0, 7, 3 */
  static const unsigned long long counts[2][2] = {{1, 7}, {0, 3}};
  *count = counts[errorType][counterType];
  return OK;
}

nvmlReturn_t nvmlDeviceGetRemappedRows(nvmlDevice_t d, unsigned int *corr, unsigned int *unc, unsigned int *pending, unsigned int *failed) {
  GUARD(d);
  if (d->index == 1) return NOT_SUPPORTED;
  *corr = 2; *unc = 1; *pending = 1; *failed = 0;
  return OK;
}

nvmlReturn_t nvmlDeviceGetRetiredPages(nvmlDevice_t d, int cause, unsigned int *count, unsigned long long *addresses) {
  GUARD(d);
  unsigned int have = cause == 0 ? 0 : 2;
  if (*count < have) { *count = have; return INSUFFICIENT_SIZE; }
  for (unsigned int i = 0; i < have; i++) addresses[i] = 0x1000ULL * (i + 1);
  *count = have;
  return OK;
}

nvmlReturn_t nvmlDeviceGetCurrPcieLinkGeneration(nvmlDevice_t d, unsigned int *v) { GUARD(d); *v = 4; return OK; }
nvmlReturn_t nvmlDeviceGetMaxPcieLinkGeneration(nvmlDevice_t d, unsigned int *v) { GUARD(d); *v = 5; return OK; }
nvmlReturn_t nvmlDeviceGetCurrPcieLinkWidth(nvmlDevice_t d, unsigned int *v) { GUARD(d); *v = 8; return OK; }
nvmlReturn_t nvmlDeviceGetMaxPcieLinkWidth(nvmlDevice_t d, unsigned int *v) { GUARD(d); *v = 16; return OK; }
nvmlReturn_t nvmlDeviceGetPcieReplayCounter(nvmlDevice_t d, unsigned int *v) { GUARD(d); *v = 5312; return OK; }

/* Two links; link 1 is down with errors. */
nvmlReturn_t nvmlDeviceGetNvLinkState(nvmlDevice_t d, unsigned int link, int *active) {
  GUARD(d);
  if (d->index == 1) return NOT_SUPPORTED;
  if (link > 1) return INVALID_ARGUMENT;
  *active = link == 0;
  return OK;
}

nvmlReturn_t nvmlDeviceGetNvLinkErrorCounter(nvmlDevice_t d, unsigned int link, int counter, unsigned long long *value) {
  GUARD(d);
  if (link > 1) return INVALID_ARGUMENT;
  /* replay, recovery, crc flit, crc data */
  static const unsigned long long down[4] = {31, 4, 100, 12};
  *value = link == 1 ? down[counter] : 0;
  return OK;
}

nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t d, unsigned int *count, void *infos) {
  GUARD(d);
  (void)infos;
  if (*count < 3) { *count = 3; return INSUFFICIENT_SIZE; }
  return OK;
}
