# Runs at install time (install.cmake): writes mailscout-serve.service and
# the options file with the real paths. CMAKE_INSTALL_PREFIX is the final
# prefix here (cmake --install --prefix, or /usr under CPack); DESTDIR, when
# set, is where that prefix is staged.
cmake_path(ABSOLUTE_PATH MAILSCOUT_INSTALL_BINDIR BASE_DIRECTORY "${CMAKE_INSTALL_PREFIX}"
           NORMALIZE OUTPUT_VARIABLE BINDIR)
# GNUInstallDirs' rule: the system's /etc for the prefix /usr.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr" OR CMAKE_INSTALL_PREFIX STREQUAL "/usr/")
  set(SYSCONFDIR /etc)
else()
  cmake_path(APPEND CMAKE_INSTALL_PREFIX etc OUTPUT_VARIABLE SYSCONFDIR)
endif()

set(unit "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/lib/systemd/system/mailscout-serve.service")
message(STATUS "Installing: ${unit}")
configure_file("${MAILSCOUT_SERVICE_TEMPLATE}" "${unit}" @ONLY)
list(APPEND CMAKE_INSTALL_MANIFEST_FILES "${unit}")

# The options file is the administrator's once installed: never overwrite it.
set(options "$ENV{DESTDIR}${SYSCONFDIR}/default/mailscout-serve")
if(EXISTS "${options}")
  message(STATUS "Keeping: ${options}")
else()
  message(STATUS "Installing: ${options}")
  configure_file("${MAILSCOUT_DEFAULT_TEMPLATE}" "${options}" @ONLY)
endif()
list(APPEND CMAKE_INSTALL_MANIFEST_FILES "${options}")

set(site "$ENV{DESTDIR}${SYSCONFDIR}/mailscout/site")
message(STATUS "Installing: ${site}/")
file(MAKE_DIRECTORY "${site}")
