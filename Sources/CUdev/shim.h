// libudev, wrapped by CustodyDevices (Udev.swift); nothing else imports it.
#include <libudev.h>
