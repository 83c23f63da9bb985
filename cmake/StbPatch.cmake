# Debian's stb_image.h (v2.27) with six checks added, written to the
# build tree at configure time; data/stb_image_impl.cpp compiles this copy.
# stb's own code stays the decoder; the checks are the ones upstream later made:
#  - stbi__build_huffman: a DHT declaring more than 256 codes wrote past
#    size[257] and values[256] (memory corruption from a crafted JPEG);
#  - stbi__extend_receive / stbi__jpeg_get_bits / stbi__jpeg_get_bit: with the
#    bit buffer exhausted, return 0 bits instead of driving code_bits negative
#    (a shift by 32 or more, undefined behaviour);
#  - stbi__getn: no memcpy into a null buffer when a PNG chunk is empty;
#  - stbi__jpeg_huff_decode: a symbol id outside the table (a crafted
#    progressive JPEG; stb asserted, and read values[] past its end with
#    NDEBUG) is a corrupt stream, as upstream's later bound makes it;
#  - stbi__load_jpeg: the decoder state starts zeroed (upstream does so later),
#    so a scan using a Huffman table no DHT defined reads zeros, not heap garbage,
#    and a corrupt file fails the same way every time.
# A newer stb that already has a check is used as is; an unknown layout stops
# the configure step rather than building an unchecked decoder.
# The thumbnail writer, stb_image_write.h (v1.16), gets one fix as well: its
# JPEG bit writer shifts a signed int into and past the sign bit (undefined
# behaviour that UBSan reports on every thumbnail); the shift is done unsigned,
# which gives the same bytes.
set(_stb_in "${STB_INCLUDE_DIR}/stb_image.h")
file(READ "${_stb_in}" _stb)
# (Sequential calls, not a list: the C code is full of semicolons.)
macro(_idml_stb_patch from to)
  string(FIND "${_stb}" "${from}" _at)
  if(_at EQUAL -1)
    string(FIND "${_stb}" "bad size list" _new)
    if(_new EQUAL -1)
      message(FATAL_ERROR "idml: ${_stb_in} is not the stb_image this build knows how to bounds-check "
                          "(looked for: ${from}); see cmake/StbPatch.cmake")
    endif()
  else()
    string(REPLACE "${from}" "${to}" _stb "${_stb}")
  endif()
endmacro()
_idml_stb_patch("         h->size[k++] = (stbi_uc) (i+1);\n"
  "         { h->size[k++] = (stbi_uc) (i+1); if (k >= 257) return stbi__err(\"bad size list\",\"Corrupt JPEG\"); }\n")
_idml_stb_patch("   if (j->code_bits < n) stbi__grow_buffer_unsafe(j);\n"
  "   if (j->code_bits < n) stbi__grow_buffer_unsafe(j);\n   if (j->code_bits < n) return 0;\n")
_idml_stb_patch("   if (j->code_bits < 1) stbi__grow_buffer_unsafe(j);\n"
  "   if (j->code_bits < 1) stbi__grow_buffer_unsafe(j);\n   if (j->code_bits < 1) return 0;\n")
_idml_stb_patch("      memcpy(buffer, s->img_buffer, n);\n"
  "      if (n > 0) memcpy(buffer, s->img_buffer, n);\n")
_idml_stb_patch("   STBI_ASSERT((((j->code_buffer) >> (32 - h->size[c])) & stbi__bmask[h->size[c]]) == h->code[c]);\n"
  "   if (c < 0 || c >= 256 || (((j->code_buffer) >> (32 - h->size[c])) & stbi__bmask[h->size[c]]) != h->code[c]) return -1;\n")
_idml_stb_patch("   if (!j) return stbi__errpuc(\"outofmem\", \"Out of memory\");\n   STBI_NOTUSED(ri);\n"
  "   if (!j) return stbi__errpuc(\"outofmem\", \"Out of memory\");\n   memset(j, 0, sizeof(stbi__jpeg));\n   STBI_NOTUSED(ri);\n")
set(STB_PATCHED_DIR "${CMAKE_BINARY_DIR}/stb_checked")
file(WRITE "${STB_PATCHED_DIR}/stb_image_checked.h.new" "${_stb}")
configure_file("${STB_PATCHED_DIR}/stb_image_checked.h.new" "${STB_PATCHED_DIR}/stb_image_checked.h" COPYONLY)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_stb_in}" "${CMAKE_CURRENT_LIST_FILE}")

set(_stbw_in "${STB_INCLUDE_DIR}/stb_image_write.h")
file(READ "${_stbw_in}" _stbw)
string(FIND "${_stbw}" "      bitBuf <<= 8;\n" _at)
if(_at EQUAL -1)
  message(FATAL_ERROR "idml: ${_stbw_in} is not the stb_image_write this build knows how to fix "
                      "(looked for its JPEG bit writer); see cmake/StbPatch.cmake")
endif()
string(REPLACE "      bitBuf <<= 8;\n" "      bitBuf = (int) ((unsigned) bitBuf << 8);\n" _stbw "${_stbw}")
file(WRITE "${STB_PATCHED_DIR}/stb_image_write_checked.h.new" "${_stbw}")
configure_file("${STB_PATCHED_DIR}/stb_image_write_checked.h.new" "${STB_PATCHED_DIR}/stb_image_write_checked.h" COPYONLY)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_stbw_in}")
