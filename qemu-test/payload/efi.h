/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The few UEFI types the test payload needs, written from the UEFI 2.x
 * specification. Only the table members the payload calls are typed; the
 * rest are placeholders that keep the offsets right.
 */

typedef unsigned char UINT8;
typedef unsigned short UINT16;
typedef unsigned int UINT32;
typedef unsigned long long UINT64;
typedef __SIZE_TYPE__ UINTN;
typedef UINTN EFI_STATUS;
typedef UINT16 CHAR16;
typedef UINT8 BOOLEAN;
typedef void *EFI_HANDLE;

#define EFI_SUCCESS 0

#define EFI_VARIABLE_NON_VOLATILE 0x1
#define EFI_VARIABLE_BOOTSERVICE_ACCESS 0x2
#define EFI_VARIABLE_RUNTIME_ACCESS 0x4
#define EFIAPI /* AAPCS on arm and aarch64: the default calling convention */

typedef struct {
        UINT32 Data1;
        UINT16 Data2;
        UINT16 Data3;
        UINT8 Data4[8];
} EFI_GUID;

typedef struct {
        UINT64 Signature;
        UINT32 Revision;
        UINT32 HeaderSize;
        UINT32 CRC32;
        UINT32 Reserved;
} EFI_TABLE_HEADER;

typedef struct {
        UINT8 Type;
        UINT8 SubType;
        UINT8 Length[2];
} EFI_DEVICE_PATH_PROTOCOL;

typedef struct EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL {
        void *Reset;
        EFI_STATUS(EFIAPI *OutputString)(struct EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *This, const CHAR16 *String);
        void *Rest[7];
} EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL;

typedef enum {
        EfiResetCold,
        EfiResetWarm,
        EfiResetShutdown,
} EFI_RESET_TYPE;

typedef struct {
        EFI_TABLE_HEADER Hdr;
        void *GetTime, *SetTime, *GetWakeupTime, *SetWakeupTime;
        void *SetVirtualAddressMap, *ConvertPointer;
        EFI_STATUS(EFIAPI *GetVariable)(const CHAR16 *Name, const EFI_GUID *Vendor, UINT32 *Attributes,
                                        UINTN *DataSize, void *Data);
        void *GetNextVariableName;
        EFI_STATUS(EFIAPI *SetVariable)(const CHAR16 *Name, const EFI_GUID *Vendor, UINT32 Attributes,
                                        UINTN DataSize, const void *Data);
        void *GetNextHighMonotonicCount;
        void(EFIAPI *ResetSystem)(EFI_RESET_TYPE Type, EFI_STATUS Status, UINTN DataSize, void *Data);
} EFI_RUNTIME_SERVICES;

typedef struct {
        EFI_TABLE_HEADER Hdr;
        void *RaiseTPL, *RestoreTPL;
        void *AllocatePages, *FreePages, *GetMemoryMap, *AllocatePool;
        EFI_STATUS(EFIAPI *FreePool)(void *Buffer);
        void *CreateEvent, *SetTimer, *WaitForEvent, *SignalEvent, *CloseEvent, *CheckEvent;
        void *InstallProtocolInterface, *ReinstallProtocolInterface, *UninstallProtocolInterface;
        EFI_STATUS(EFIAPI *HandleProtocol)(EFI_HANDLE Handle, const EFI_GUID *Protocol, void **Interface);
        void *Reserved, *RegisterProtocolNotify, *LocateHandle, *LocateDevicePath;
        void *InstallConfigurationTable;
        void *LoadImage, *StartImage, *Exit, *UnloadImage, *ExitBootServices;
        void *GetNextMonotonicCount, *Stall, *SetWatchdogTimer;
        void *ConnectController, *DisconnectController;
        void *OpenProtocol, *CloseProtocol, *OpenProtocolInformation;
        void *ProtocolsPerHandle, *LocateHandleBuffer;
        EFI_STATUS(EFIAPI *LocateProtocol)(const EFI_GUID *Protocol, void *Registration, void **Interface);
} EFI_BOOT_SERVICES;

typedef struct {
        EFI_TABLE_HEADER Hdr;
        CHAR16 *FirmwareVendor;
        UINT32 FirmwareRevision;
        EFI_HANDLE ConsoleInHandle;
        void *ConIn;
        EFI_HANDLE ConsoleOutHandle;
        EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *ConOut;
        EFI_HANDLE StandardErrorHandle;
        EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL *StdErr;
        EFI_RUNTIME_SERVICES *RuntimeServices;
        EFI_BOOT_SERVICES *BootServices;
        UINTN NumberOfTableEntries;
        void *ConfigurationTable;
} EFI_SYSTEM_TABLE;

typedef struct {
        UINT32 Revision;
        EFI_HANDLE ParentHandle;
        EFI_SYSTEM_TABLE *SystemTable;
        EFI_HANDLE DeviceHandle;
        EFI_DEVICE_PATH_PROTOCOL *FilePath;
        void *Reserved;
        UINT32 LoadOptionsSize;
        void *LoadOptions;
        void *ImageBase;
        UINT64 ImageSize;
        UINT32 ImageCodeType, ImageDataType;
        void *Unload;
} EFI_LOADED_IMAGE_PROTOCOL;

typedef struct {
        CHAR16 *(EFIAPI *ConvertDeviceNodeToText)(const EFI_DEVICE_PATH_PROTOCOL *Node, BOOLEAN DisplayOnly, BOOLEAN AllowShortcuts);
        CHAR16 *(EFIAPI *ConvertDevicePathToText)(const EFI_DEVICE_PATH_PROTOCOL *Path, BOOLEAN DisplayOnly, BOOLEAN AllowShortcuts);
} EFI_DEVICE_PATH_TO_TEXT_PROTOCOL;

#define EFI_LOADED_IMAGE_PROTOCOL_GUID \
        { 0x5b1b31a1, 0x9562, 0x11d2, { 0x8e, 0x3f, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b } }
#define EFI_DEVICE_PATH_PROTOCOL_GUID \
        { 0x09576e91, 0x6d3f, 0x11d2, { 0x8e, 0x39, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b } }
#define EFI_DEVICE_PATH_TO_TEXT_PROTOCOL_GUID \
        { 0x8b843e20, 0x8132, 0x4852, { 0x90, 0xcc, 0x55, 0x1a, 0x4e, 0x4a, 0x7f, 0x1c } }
