// Open MPI's handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, ...) are macros over addresses of globals, which Swift
// does not import: these functions return them. Used only by builds with the MPI trait.
#include <mpi.h>

static inline MPI_Comm spike_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Errhandler spike_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline MPI_Datatype spike_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype spike_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype spike_mpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Datatype spike_mpi_uint64(void) { return MPI_UINT64_T; }
static inline MPI_Datatype spike_mpi_int32(void) { return MPI_INT32_T; }
static inline MPI_Datatype spike_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Op spike_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op spike_mpi_max(void) { return MPI_MAX; }
static inline MPI_Op spike_mpi_min(void) { return MPI_MIN; }
static inline int spike_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
static inline void *spike_mpi_in_place(void) { return MPI_IN_PLACE; }
