# IDML_MPI=AUTO|ON|OFF, like IDML_CUDA: multi-process data parallelism over
# MPI (Open MPI from Debian: libopenmpi-dev, openmpi-bin). AUTO builds the MPI
# transport when MPI's C library is found; ON makes its absence an error.
# When built, IDML_WITH_MPI is set and engine/distributed/ uses it.
set(IDML_MPI "AUTO" CACHE STRING "MPI transport: AUTO (build when MPI is found), ON, OFF")
set_property(CACHE IDML_MPI PROPERTY STRINGS AUTO ON OFF)
set(IDML_WITH_MPI OFF)
if(NOT IDML_MPI STREQUAL "OFF")
  find_package(MPI COMPONENTS C QUIET)
  if(MPI_C_FOUND)
    set(IDML_WITH_MPI ON)
    find_program(IDML_MPIEXEC NAMES mpirun mpiexec HINTS ${MPI_C_ROOT} PATH_SUFFIXES bin)
    message(STATUS "idml: MPI ${MPI_C_VERSION} (${MPI_C_LIBRARIES}); launcher ${IDML_MPIEXEC}")
  elseif(IDML_MPI STREQUAL "ON")
    message(FATAL_ERROR "IDML_MPI=ON but MPI was not found: install libopenmpi-dev (scripts/setup.sh does)")
  else()
    message(STATUS "idml: MPI not found: single-process training only")
  endif()
endif()
