# What the sanitizer job runs (scripts/sanitize.sh; README "Tests and CI").
#
# On every commit, the layers where a memory error is most likely and the
# input least trusted: the engine's kernels, io, nn (weights files), models
# and data (image and dataset decoders). Their tests carry the CTest label
# `lower_layers`, and the target `lower_layer_tests` builds those test
# programs and, in a fuzzing build, every fuzz target. The layers above
# (train, export, serve and the `idml` program) pass tensors and standard
# containers between those parts; their tests are the slowest under the
# sanitizers (whole training runs, a model built for every server test) and
# run sanitized with `scripts/sanitize.sh all`, in Release on every commit.
set(IDML_LOWER_LAYERS engine io nn models data)

# Call once every test folder and tests/fuzz are added.
function(idml_define_test_scopes)
  set(programs "")
  set(folders "")
  foreach(layer IN LISTS IDML_LOWER_LAYERS)
    set(dir ${CMAKE_SOURCE_DIR}/tests/${layer})
    set_property(DIRECTORY ${dir} PROPERTY LABELS lower_layers)  # its tests and those of its subfolders
    list(APPEND folders ${dir})
  endforeach()
  if(IDML_FUZZ)
    list(APPEND folders ${CMAKE_SOURCE_DIR}/tests/fuzz)
  endif()
  foreach(dir IN LISTS folders)
    _idml_targets_below(${dir} targets)  # cmake/BuildTime.cmake
    foreach(target IN LISTS targets)
      get_target_property(type ${target} TYPE)
      if(type STREQUAL "EXECUTABLE")
        list(APPEND programs ${target})
      endif()
    endforeach()
  endforeach()
  add_custom_target(lower_layer_tests)
  add_dependencies(lower_layer_tests ${programs})
endfunction()
