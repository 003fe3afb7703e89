/* The C interface of the SentencePiece module (libtandem_spm.so).
 *
 * Why a module: Debian's libsentencepiece carries its own protobuf 3.14, which aborts a
 * process that also holds gRPC and LibTorch (protobuf 3.21). The module links SentencePiece,
 * hides every symbol but these, and is loaded with dlmopen(LM_ID_NEWLM) into a link-map
 * namespace of its own, so its protobuf (and its libstdc++ state) never meets ours. A new
 * namespace rather than RTLD_DEEPBIND: DEEPBIND breaks libstdc++'s std::cerr in the module
 * and is refused by the sanitizers. Nothing allocated on one side is freed on the other. Only plain C types cross this boundary; data/tokenizer.cc is the
 * one caller. Returned buffers are malloc'ed and released with tandem_spm_free_buffer.
 */
#ifndef TANDEM_DATA_SPM_MODULE_API_H_
#define TANDEM_DATA_SPM_MODULE_API_H_

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Trains a model; `args` is SentencePiece's flag string. Returns 0, or non-zero with the
 * error text written (NUL-terminated, truncated) into err[0..err_len). */
typedef int (*tandem_spm_train_fn)(const char* args, char* err, size_t err_len);

/* Seeds SentencePiece's random generator, so training on the same input gives the same model. */
typedef void (*tandem_spm_set_seed_fn)(unsigned int seed);

/* Loads a model file; returns a handle or NULL with the error in err. */
typedef void* (*tandem_spm_load_fn)(const char* path, char* err, size_t err_len);
typedef void (*tandem_spm_unload_fn)(void* handle);

/* Encodes text into ids: *ids receives a malloc'ed array of *n ints. Returns 0 or non-zero
 * with the error in err. */
typedef int (*tandem_spm_encode_fn)(void* handle, const char* text, size_t len, int** ids,
                                    size_t* n, char* err, size_t err_len);

/* Encodes text into pieces: *pieces receives a malloc'ed buffer of *n NUL-terminated
 * strings laid end to end (*bytes in total). */
typedef int (*tandem_spm_pieces_fn)(void* handle, const char* text, size_t len, char** pieces,
                                    size_t* bytes, size_t* n, char* err, size_t err_len);

/* Decodes ids into text: *text receives a malloc'ed NUL-terminated string. */
typedef int (*tandem_spm_decode_fn)(void* handle, const int* ids, size_t n, char** text,
                                    char* err, size_t err_len);

/* The piece of one id (copied into out, NUL-terminated); -1 if the id is out of range. */
typedef int (*tandem_spm_id_to_piece_fn)(void* handle, int id, char* out, size_t out_len);

typedef int (*tandem_spm_vocab_size_fn)(void* handle);
typedef void (*tandem_spm_free_buffer_fn)(void* buffer);

#ifdef __cplusplus
}
#endif

#endif /* TANDEM_DATA_SPM_MODULE_API_H_ */
