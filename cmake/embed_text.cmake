# Embeds a text file in the build as a C++ string_view, so a script stays a real file in the
# source tree (checked, tested and installed as it is) and still ships inside the program.
#
# knot_embed_text(<target> <file> <symbol>) adds to <target> a generated source defining
# `extern const std::string_view knot::<symbol>`, the file's bytes; declare it in a header.
function(knot_embed_text target file symbol)
  get_filename_component(file "${file}" ABSOLUTE)
  get_filename_component(name "${file}" NAME)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/embedded_${symbol}.cpp")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DIN=${file} -DOUT=${out} -DSYMBOL=${symbol}
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_text.cmake
    DEPENDS "${file}" "${PROJECT_SOURCE_DIR}/cmake/embed_text.cmake"
    COMMENT "Embedding ${name} as knot::${symbol}"
    VERBATIM)
  target_sources(${target} PRIVATE "${out}")
endfunction()

# Run as a script (cmake -P): writes OUT from IN.
if(CMAKE_SCRIPT_MODE_FILE AND DEFINED IN)
  file(READ "${IN}" text)
  set(delimiter "knot_embed")
  string(FIND "${text}" ")${delimiter}\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${IN} contains )${delimiter}\", which would end the raw string early")
  endif()
  file(WRITE "${OUT}"
       "// Generated from ${IN} by cmake/embed_text.cmake; edit that file instead.\n"
       "#include <string_view>\n\n"
       "namespace knot {\n"
       "extern const std::string_view ${SYMBOL};\n"
       "const std::string_view ${SYMBOL} = R\"${delimiter}(${text})${delimiter}\";\n"
       "} // namespace knot\n")
endif()
