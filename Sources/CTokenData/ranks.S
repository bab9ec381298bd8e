/* The rank files as read-only data. .incbin finds them through the -I of this target's folder
   (Package.swift), so the build does not depend on the folder it runs in. */
#if defined(__APPLE__)
#define SYM(name) _##name
#else
#define SYM(name) name
#endif

#if defined(__APPLE__)
  .section __TEXT,__const
#else
  .section .rodata
#endif
  .balign 16
  .globl SYM(casebook_o200k_gz_start)
  .globl SYM(casebook_o200k_gz_end)
SYM(casebook_o200k_gz_start):
  .incbin "o200k_base.tiktoken.gz"
SYM(casebook_o200k_gz_end):

  .balign 16
  .globl SYM(casebook_cl100k_gz_start)
  .globl SYM(casebook_cl100k_gz_end)
SYM(casebook_cl100k_gz_start):
  .incbin "cl100k_base.tiktoken.gz"
SYM(casebook_cl100k_gz_end):

#if defined(__linux__)
  .section .note.GNU-stack,"",%progbits
#endif
