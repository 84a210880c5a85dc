# What `cmake --install` puts in place, and how `cpack -G DEB` packages it
# (docs/install.md). Paths under the prefix follow GNUInstallDirs:
#   bin/mailscout
#   share/mailscout/providers/*.xml     the bundled provider database
#   share/mailscout/providers/domains.idx  its domain index (providers/make-index)
#   share/mailscout/web/                the helpdesk page (web/, when present)
#   share/man/man1/mailscout.1.gz
#   share/bash-completion/completions/mailscout
#   lib/systemd/system/mailscout-serve.service
#   <sysconfdir>/default/mailscout-serve  (commented options; kept if present)
#   <sysconfdir>/mailscout/site/          (the service's site folder, empty)
# <sysconfdir> is /etc for the prefix /usr (the .deb), else <prefix>/etc.
# The binary finds share/mailscout from its own location
# (src/core/install_paths.h), so the prefix can be chosen at install time.

install(TARGETS mailscout RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/providers/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/mailscout/providers
        FILES_MATCHING PATTERN "*.xml" PATTERN "domains.idx" PATTERN "overlays" EXCLUDE)
# web/ is the helpdesk page of `mailscout serve`; OPTIONAL keeps a tree
# without it installable.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/web/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/mailscout/web OPTIONAL)
install(FILES ${PROJECT_SOURCE_DIR}/completions/mailscout
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)

# The man page, compressed as Debian installs man pages. Built with the
# binary, so building the `mailscout` target alone is enough to install.
set(MAILSCOUT_MAN_GZ ${PROJECT_BINARY_DIR}/mailscout.1.gz)
add_custom_command(OUTPUT ${MAILSCOUT_MAN_GZ}
  COMMAND sh -c "gzip -9n -c \"$1\" > \"$2\"" sh ${PROJECT_SOURCE_DIR}/docs/mailscout.1
          ${MAILSCOUT_MAN_GZ}
  DEPENDS ${PROJECT_SOURCE_DIR}/docs/mailscout.1
  COMMENT "Compressing the man page"
  VERBATIM)
add_custom_target(mailscout_man DEPENDS ${MAILSCOUT_MAN_GZ})
add_dependencies(mailscout mailscout_man)
install(FILES ${MAILSCOUT_MAN_GZ} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# The systemd unit and its options file name the binary's and /etc's real
# paths, which are known only at install time (--prefix, CPack's /usr):
# install_service.cmake writes them then.
install(CODE "
  set(MAILSCOUT_SERVICE_TEMPLATE \"${CMAKE_CURRENT_LIST_DIR}/mailscout-serve.service.in\")
  set(MAILSCOUT_DEFAULT_TEMPLATE \"${CMAKE_CURRENT_LIST_DIR}/mailscout-serve.default.in\")
  set(MAILSCOUT_INSTALL_BINDIR \"${CMAKE_INSTALL_BINDIR}\")")
install(SCRIPT ${CMAKE_CURRENT_LIST_DIR}/install_service.cmake)

# ---- cpack -G DEB ----
set(CPACK_PACKAGE_NAME mailscout)
set(CPACK_PACKAGE_VENDOR "mailscout")
set(CPACK_PACKAGE_CONTACT "mailscout maintainers <mailscout@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "find and prove the right mail settings for an email address")
set(CPACK_PACKAGE_DESCRIPTION
    "mailscout discovers every candidate IMAP, POP3 and SMTP server for an address
(bundled provider database, autoconfig, ISPDB, DNS SRV, MX, Autodiscover,
guessing), logs in to each with every security type, recommends the settings
that work and exports them for mail clients. `mailscout serve` answers mail
clients' autoconfiguration requests for a folder of provider files; the
package ships it as mailscout-serve.service (not enabled).")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION mail)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Runtime libraries from dpkg-shlibdeps; publicsuffix is data libpsl reads,
# which no ELF dependency names.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "publicsuffix")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "ca-certificates")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bash-completion")
# Install with CMAKE_INSTALL_PREFIX=/usr and DESTDIR=the staging folder, so
# install_service.cmake writes /usr/bin and /etc into the unit (without
# SET_DESTDIR the prefix would be the staging folder itself), whatever
# CMAKE_INSTALL_PREFIX the build was configured with.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${CMAKE_CURRENT_LIST_DIR}/conffiles)
set(CPACK_GENERATOR DEB)
include(CPack)
