# Sample BitBake recipe for pv-xconnect (Yocto/OpenEmbedded).
SUMMARY = "Service-mesh daemon for Pantavisor containers"
DESCRIPTION = "Plants sockets in consumer containers and mediates unix, rest and wayland links."
HOMEPAGE = "https://pantavisor.io"
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://COPYING;md5=74d138a7d8c489b0176ebfbffabd01c9"

SRC_URI = "git://example.org/pv-xconnect.git;protocol=https;branch=main"
SRCREV = "${AUTOREV}"
PV = "0.1.0+git${SRCPV}"
S = "${WORKDIR}/git"

inherit autotools pkgconfig

DEPENDS = "libev jansson ragel-native"

# dbus and drm links are optional: disable them on devices without D-Bus
# or without a GPU.
PACKAGECONFIG ??= "dbus drm"
PACKAGECONFIG[dbus] = "--enable-dbus,--disable-dbus,dbus"
PACKAGECONFIG[drm] = "--enable-drm,--disable-drm,libdrm"

FILES:${PN} += "${docdir}/${BPN}/examples"
