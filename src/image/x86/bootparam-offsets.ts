/**
 * Byte offsets in struct boot_params (the "zero page") and its embedded struct setup_header, from
 * arch/x86/include/uapi/asm/bootparam.h and Documentation/arch/x86/boot.rst. A bzImage file carries
 * the setup header at the same offsets (0x1f1...), so one table serves both.
 */
export const BP = {
  SIZE: 0x1000,
  screen_info: 0x000,
  SCREEN_INFO_SIZE: 0x40,
  /** screen_info.ext_mem_k (u16) */
  ext_mem_k: 0x002,
  acpi_rsdp_addr: 0x070,
  ext_ramdisk_image: 0x0c0,
  ext_ramdisk_size: 0x0c4,
  ext_cmd_line_ptr: 0x0c8,
  efi_info: 0x1c0,
  EFI_INFO_SIZE: 0x20,
  alt_mem_k: 0x1e0,
  e820_entries: 0x1e8,
  eddbuf_entries: 0x1e9,
  edd_mbr_sig_buf_entries: 0x1ea,
  secure_boot: 0x1ec,
  sentinel: 0x1ef,
  edd_mbr_sig_buffer: 0x290,
  EDD_MBR_SIG_BUFFER_SIZE: 16 * 4,
  e820_table: 0x2d0,
  eddbuf: 0xd00,
  /** EDDMAXNR (6) * sizeof(struct edd_info) (82) */
  EDDBUF_SIZE: 6 * 82,
} as const;

/** struct efi_info, relative to BP.efi_info. */
export const EFI_INFO = {
  loader_signature: 0x00,
  systab: 0x04,
  memdesc_size: 0x08,
  memdesc_version: 0x0c,
  memmap: 0x10,
  memmap_size: 0x14,
  systab_hi: 0x18,
  memmap_hi: 0x1c,
} as const;

/** struct setup_header fields, absolute offsets in boot_params and in the bzImage file. */
export const HDR = {
  start: 0x1f1,
  setup_sects: 0x1f1,
  boot_flag: 0x1fe,
  /** jump instruction; its second byte (0x201) + 0x202 is the end of the header */
  jump: 0x200,
  header: 0x202,
  version: 0x206,
  kernel_version: 0x20e,
  type_of_loader: 0x210,
  loadflags: 0x211,
  ramdisk_image: 0x218,
  ramdisk_size: 0x21c,
  cmd_line_ptr: 0x228,
  initrd_addr_max: 0x22c,
  kernel_alignment: 0x230,
  relocatable_kernel: 0x234,
  min_alignment: 0x235,
  xloadflags: 0x236,
  cmdline_size: 0x238,
  hardware_subarch: 0x23c,
  setup_data: 0x250,
  pref_address: 0x258,
  init_size: 0x260,
} as const;

export const LOADED_HIGH = 1 << 0;
export const XLF_KERNEL_64 = 1 << 0;
export const XLF_CAN_BE_LOADED_ABOVE_4G = 1 << 1;
export const XLF_EFI_KEXEC = 1 << 4;
export const XLF_5LEVEL = 1 << 5;

/** type_of_loader: 0xD = kexec-tools, in the high nibble (arch/x86/kernel/kexec-bzimage64.c). */
export const LOADER_TYPE_KEXEC = 0x0d << 4;

/** setup_data types (bootparam.h). */
export const SETUP_E820_EXT = 1;
export const SETUP_EFI = 4;
export const SETUP_RNG_SEED = 9;

export const E820_MAX_ENTRIES_ZEROPAGE = 128;
export const E820_ENTRY_SIZE = 20;
/** struct setup_data header: u64 next, u32 type, u32 len. */
export const SETUP_DATA_HDR = 16;
