#pragma once
// libusb-1.0 (pkg-config libusb-1.0, Debian libusb-1.0-0-dev); wrapped by CustodyDevices/USB.
#include <libusb.h>
