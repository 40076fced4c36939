/* passgate's bcrypt kernel: several independent bcrypt computations interleaved.
 *
 * bcrypt (Provos & Mazieres, "A Future-Adaptable Password Scheme", 1999) is
 * Blowfish with an expensive key schedule, eksblowfish:
 *
 *   state = Blowfish's initial state (the digits of pi)
 *   ExpandKey(state, salt, key)
 *   repeat 2^cost: ExpandKey(state, 0, key); ExpandKey(state, 0, salt)
 *   encrypt "OrpheanBeholderScryDoubt" 64 times in ECB mode with state
 *
 * Almost all of the time goes to Blowfish encryptions that each depend on the
 * previous one, and every round waits on four S-box loads from L1. One
 * computation therefore leaves most of a core's execution units idle. Running
 * two or three independent computations in lockstep, round by round, lets
 * the core overlap their loads: the same work per hash, more hashes per
 * second. Each lane keeps its own state (4 KiB), so three lanes still fit in
 * the L1 data cache.
 *
 * The module computes the raw 24-byte result for 1..MAX_LANES (key, salt)
 * pairs at one cost; passgate.identity.bcrypt_kernel reads and writes the
 * `$2b$` strings around it. The computation runs without the GIL.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#include "_blowfish_pi.h"

#define MAX_LANES 4
#define KEY_BYTES 72 /* 18 words of P: bcrypt uses at most 72 key bytes */
#define SALT_BYTES 16
#define RESULT_WORDS 6

#if defined(__GNUC__)
#define ALWAYS_INLINE static inline __attribute__((always_inline))
#define UNROLL _Pragma("GCC unroll 4")
#else
#define ALWAYS_INLINE static inline
#define UNROLL
#endif

/* Zeroes memory that held keys or state derived from them, in a way the
 * compiler may not drop as a dead store. */
static void wipe(void *memory, size_t size)
{
#if defined(__GNUC__)
    memset(memory, 0, size);
    __asm__ __volatile__("" : : "r"(memory) : "memory");
#else
    volatile unsigned char *p = (volatile unsigned char *)memory;
    for (size_t i = 0; i < size; i++) p[i] = 0;
#endif
}

typedef struct {
    uint32_t S[4][256];
    uint32_t P[18];
} blowfish;

/* Blowfish's round function. */
#define F(b, x)                                                                              \
    ((((b)->S[0][(x) >> 24] + (b)->S[1][((x) >> 16) & 0xff]) ^ (b)->S[2][((x) >> 8) & 0xff]) + \
     (b)->S[3][(x) & 0xff])

/* Encrypts one 64-bit block (L, R) in each of n lanes; the lanes' rounds are
 * interleaved so their S-box loads overlap. n is a compile-time constant at
 * every call site, so the lane loops unroll and L, R stay in registers. */
ALWAYS_INLINE void encrypt(blowfish *const *b, uint32_t *L, uint32_t *R, const int n)
{
    UNROLL for (int k = 0; k < n; k++) L[k] ^= b[k]->P[0];
    _Pragma("GCC unroll 8") for (int i = 1; i < 17; i += 2)
    {
        UNROLL for (int k = 0; k < n; k++) R[k] ^= F(b[k], L[k]) ^ b[k]->P[i];
        UNROLL for (int k = 0; k < n; k++) L[k] ^= F(b[k], R[k]) ^ b[k]->P[i + 1];
    }
    UNROLL for (int k = 0; k < n; k++)
    {
        uint32_t left = R[k] ^ b[k]->P[17];
        R[k] = L[k];
        L[k] = left;
    }
}

/* ExpandKey(state, salt, key): XOR the key's 18 words into P, then replace P
 * and the S-boxes, in order, with successive encryptions of a running block,
 * XORing the salt's words (cycled) into that block first when `salt` is set. */
ALWAYS_INLINE void expand(blowfish *const *b, const uint32_t *const *key,
                          const uint32_t *const *salt, const int n)
{
    uint32_t L[MAX_LANES] = {0}, R[MAX_LANES] = {0};
    UNROLL for (int k = 0; k < n; k++)
    {
        for (int i = 0; i < 18; i++) b[k]->P[i] ^= key[k][i];
    }
    int half = 0; /* which pair of salt words comes next: 0 or 2 */
    for (int i = 0; i < 18; i += 2) {
        if (salt) {
            UNROLL for (int k = 0; k < n; k++)
            {
                L[k] ^= salt[k][half];
                R[k] ^= salt[k][half + 1];
            }
            half ^= 2;
        }
        encrypt(b, L, R, n);
        UNROLL for (int k = 0; k < n; k++)
        {
            b[k]->P[i] = L[k];
            b[k]->P[i + 1] = R[k];
        }
    }
    for (int box = 0; box < 4; box++) {
        for (int i = 0; i < 256; i += 2) {
            if (salt) {
                UNROLL for (int k = 0; k < n; k++)
                {
                    L[k] ^= salt[k][half];
                    R[k] ^= salt[k][half + 1];
                }
                half ^= 2;
            }
            encrypt(b, L, R, n);
            UNROLL for (int k = 0; k < n; k++)
            {
                b[k]->S[box][i] = L[k];
                b[k]->S[box][i + 1] = R[k];
            }
        }
    }
}

typedef struct {
    uint32_t key[18];      /* the key bytes and a NUL, cycled to 72 bytes, as words */
    uint32_t salt[4];      /* the 16 salt bytes as words */
    uint32_t salt_key[18]; /* the salt as a key: 16 bytes cycled to 72 */
    uint32_t result[RESULT_WORDS];
} lane_input;

static uint32_t big_endian_word(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Words of `bytes` (length > 0) read as an endless cycle. */
static void cycled_words(const unsigned char *bytes, size_t length, uint32_t *words, int count)
{
    size_t at = 0;
    for (int w = 0; w < count; w++) {
        unsigned char four[4];
        for (int j = 0; j < 4; j++) {
            four[j] = bytes[at];
            at = at + 1 == length ? 0 : at + 1;
        }
        words[w] = big_endian_word(four);
    }
}

static const unsigned char MAGIC[24] = "OrpheanBeholderScryDoubt";

/* A lane's first step: Blowfish's initial state, then ExpandKey(state, salt, key).
 * One lane alone: it is 1/8193 of a hash at cost 12, not worth interleaving. */
static void lane_start(blowfish *state, const lane_input *in)
{
    memcpy(state->P, BLOWFISH_PI_P, sizeof state->P);
    memcpy(state->S, BLOWFISH_PI_S, sizeof state->S);
    blowfish *b[1] = {state};
    const uint32_t *key[1] = {in->key}, *salt[1] = {in->salt};
    expand(b, key, salt, 1);
}

/* `rounds` of the expensive loop for n lanes interleaved, each lane anywhere
 * in its own count: every round is the same two ExpandKeys whatever the cost. */
ALWAYS_INLINE void rounds_n(blowfish *const *b, const uint32_t *const *key,
                            const uint32_t *const *salt_key, uint64_t rounds, const int n)
{
    for (uint64_t r = 0; r < rounds; r++) {
        expand(b, key, NULL, n);
        expand(b, salt_key, NULL, n);
    }
}

/* A lane's last step: "OrpheanBeholderScryDoubt" encrypted 64 times. */
static void lane_finish(blowfish *state, uint32_t result[RESULT_WORDS])
{
    blowfish *b[1] = {state};
    for (int block = 0; block < RESULT_WORDS; block += 2) {
        uint32_t L[1] = {big_endian_word(MAGIC + 4 * block)};
        uint32_t R[1] = {big_endian_word(MAGIC + 4 * (block + 1))};
        for (int i = 0; i < 64; i++) encrypt(b, L, R, 1);
        result[block] = L[0];
        result[block + 1] = R[0];
    }
}

/* One function per lane count, so that each is compiled with n constant. */
typedef void (*rounds_fn)(blowfish *const *, const uint32_t *const *, const uint32_t *const *,
                          uint64_t);
static void rounds1(blowfish *const *b, const uint32_t *const *k, const uint32_t *const *s,
                    uint64_t r) { rounds_n(b, k, s, r, 1); }
static void rounds2(blowfish *const *b, const uint32_t *const *k, const uint32_t *const *s,
                    uint64_t r) { rounds_n(b, k, s, r, 2); }
static void rounds3(blowfish *const *b, const uint32_t *const *k, const uint32_t *const *s,
                    uint64_t r) { rounds_n(b, k, s, r, 3); }
static void rounds4(blowfish *const *b, const uint32_t *const *k, const uint32_t *const *s,
                    uint64_t r) { rounds_n(b, k, s, r, 4); }

static const rounds_fn BY_LANES[MAX_LANES + 1] = {NULL, rounds1, rounds2, rounds3, rounds4};

/* eksblowfish for n lanes in lockstep, every lane at the same cost. */
static void eksblowfish(lane_input *in, uint64_t rounds, int n)
{
    blowfish state[MAX_LANES];
    blowfish *b[MAX_LANES];
    const uint32_t *key[MAX_LANES], *salt_key[MAX_LANES];
    for (int k = 0; k < n; k++) {
        b[k] = &state[k];
        key[k] = in[k].key;
        salt_key[k] = in[k].salt_key;
        lane_start(&state[k], &in[k]);
    }
    BY_LANES[n](b, key, salt_key, rounds);
    for (int k = 0; k < n; k++) lane_finish(&state[k], in[k].result);
    /* the states derive from the keys: leave nothing of them on the stack */
    wipe(state, sizeof state);
}

static int read_lane(PyObject *key_object, PyObject *salt_object, lane_input *lane)
{
    char *key, *salt;
    Py_ssize_t key_length, salt_length;
    if (PyBytes_AsStringAndSize(key_object, &key, &key_length) < 0 ||
        PyBytes_AsStringAndSize(salt_object, &salt, &salt_length) < 0)
        return -1;
    if (salt_length != SALT_BYTES) {
        PyErr_SetString(PyExc_ValueError, "a bcrypt salt is 16 bytes");
        return -1;
    }
    if (memchr(key, 0, (size_t)key_length) != NULL) {
        PyErr_SetString(PyExc_ValueError, "a bcrypt key has no NUL byte");
        return -1;
    }
    /* the key's bytes then its NUL terminator, cycled; only 72 bytes are read */
    unsigned char cycle[KEY_BYTES + 1];
    size_t used = key_length < KEY_BYTES ? (size_t)key_length : KEY_BYTES;
    memcpy(cycle, key, used);
    cycle[used] = 0;
    cycled_words(cycle, used + 1, lane->key, 18);
    cycled_words((const unsigned char *)salt, SALT_BYTES, lane->salt, 4);
    cycled_words((const unsigned char *)salt, SALT_BYTES, lane->salt_key, 18);
    wipe(cycle, sizeof cycle);
    return 0;
}

PyDoc_STRVAR(eksblowfish_doc,
             "eksblowfish(cost, keys, salts) -> list[bytes]\n\n"
             "The raw bcrypt results (24 bytes each) of 1 to MAX_LANES keys (bytes\n"
             "without NUL; bytes past 72 are not read) with their 16-byte salts, all\n"
             "at 2**cost rounds, computed interleaved without the GIL.");

static PyObject *kernel_eksblowfish(PyObject *module, PyObject *args)
{
    (void)module;
    int cost;
    PyObject *keys, *salts;
    if (!PyArg_ParseTuple(args, "iOO:eksblowfish", &cost, &keys, &salts)) return NULL;
    if (cost < 4 || cost > 31) {
        PyErr_SetString(PyExc_ValueError, "bcrypt cost is between 4 and 31");
        return NULL;
    }
    PyObject *key_list = PySequence_Fast(keys, "keys must be a sequence of bytes");
    if (key_list == NULL) return NULL;
    PyObject *salt_list = PySequence_Fast(salts, "salts must be a sequence of bytes");
    if (salt_list == NULL) {
        Py_DECREF(key_list);
        return NULL;
    }
    PyObject *out = NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(key_list);
    lane_input lanes[MAX_LANES];
    if (n < 1 || n > MAX_LANES || PySequence_Fast_GET_SIZE(salt_list) != n) {
        PyErr_Format(PyExc_ValueError, "1 to %d keys, each with one salt", MAX_LANES);
        goto done;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        if (read_lane(PySequence_Fast_GET_ITEM(key_list, k),
                      PySequence_Fast_GET_ITEM(salt_list, k), &lanes[k]) < 0)
            goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    eksblowfish(lanes, (uint64_t)1 << cost, (int)n);
    Py_END_ALLOW_THREADS
    out = PyList_New(n);
    if (out == NULL) goto done;
    for (Py_ssize_t k = 0; k < n; k++) {
        unsigned char raw[4 * RESULT_WORDS];
        for (int w = 0; w < RESULT_WORDS; w++) {
            uint32_t word = lanes[k].result[w];
            raw[4 * w] = (unsigned char)(word >> 24);
            raw[4 * w + 1] = (unsigned char)(word >> 16);
            raw[4 * w + 2] = (unsigned char)(word >> 8);
            raw[4 * w + 3] = (unsigned char)word;
        }
        PyObject *item = PyBytes_FromStringAndSize((const char *)raw, sizeof raw);
        if (item == NULL) {
            Py_CLEAR(out);
            goto done;
        }
        PyList_SET_ITEM(out, k, item);
    }
done:
    wipe(lanes, sizeof lanes);
    Py_DECREF(key_list);
    Py_DECREF(salt_list);
    return out;
}

/* Lanes: up to MAX_LANES hashes on one thread that start and finish one by
 * one. Each round of the expensive loop is the same two ExpandKeys whatever a
 * hash's cost or progress, so a hash may join the lanes between any two rounds
 * and leave when its own count is done: a queued verification starts as soon
 * as a lane frees, not when a whole batch has finished, and a lane never idles
 * while work waits. Used by one thread at a time (`run` refuses a second);
 * `wake` alone may be called from any thread, while `run` works. */
typedef struct {
    PyObject_HEAD
    blowfish state[MAX_LANES];
    uint32_t key[MAX_LANES][18];
    uint32_t salt_key[MAX_LANES][18];
    uint64_t left[MAX_LANES]; /* rounds still to run; 0: the lane is free */
    int running;              /* `run` works without the GIL */
    int woken;                /* `wake` was called: `run` returns at its next check */
} Lanes;

/* Rounds `run` computes between two looks at `woken`: about 0.4 ms at 1 lane. */
#define WAKE_CHECK_ROUNDS 8

static void lanes_wipe(Lanes *self)
{
    wipe(self->state, sizeof self->state);
    wipe(self->key, sizeof self->key);
    wipe(self->salt_key, sizeof self->salt_key);
    memset(self->left, 0, sizeof self->left);
}

static void lanes_dealloc(Lanes *self)
{
    lanes_wipe(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

PyDoc_STRVAR(lanes_start_doc,
             "start(lane, cost, key, salt)\n\n"
             "Starts a hash of `key` (bytes without NUL; bytes past 72 are not read)\n"
             "with its 16-byte `salt` at 2**cost rounds in the free `lane`.");

static PyObject *lanes_start(Lanes *self, PyObject *args)
{
    int lane, cost;
    PyObject *key, *salt;
    if (!PyArg_ParseTuple(args, "iiOO:start", &lane, &cost, &key, &salt)) return NULL;
    if (self->running) {
        PyErr_SetString(PyExc_RuntimeError, "the lanes are running on another thread");
        return NULL;
    }
    if (lane < 0 || lane >= MAX_LANES || self->left[lane] != 0) {
        PyErr_Format(PyExc_ValueError, "lane %d is not a free lane", lane);
        return NULL;
    }
    if (cost < 4 || cost > 31) {
        PyErr_SetString(PyExc_ValueError, "bcrypt cost is between 4 and 31");
        return NULL;
    }
    lane_input in;
    if (read_lane(key, salt, &in) < 0) return NULL;
    lane_start(&self->state[lane], &in);
    memcpy(self->key[lane], in.key, sizeof in.key);
    memcpy(self->salt_key[lane], in.salt_key, sizeof in.salt_key);
    self->left[lane] = (uint64_t)1 << cost;
    wipe(&in, sizeof in);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(lanes_run_doc,
             "run() -> list[tuple[int, bytes]]\n\n"
             "Runs every busy lane, interleaved and without the GIL, until one of\n"
             "them finishes or `wake` is called; returns each finished lane with its\n"
             "raw result (24 bytes), and frees it.");

static PyObject *lanes_run(Lanes *self, PyObject *unused)
{
    (void)unused;
    if (self->running) {
        PyErr_SetString(PyExc_RuntimeError, "the lanes are running on another thread");
        return NULL;
    }
    blowfish *b[MAX_LANES];
    const uint32_t *key[MAX_LANES], *salt_key[MAX_LANES];
    int busy[MAX_LANES];
    int n = 0;
    uint64_t step = UINT64_MAX;
    for (int k = 0; k < MAX_LANES; k++) {
        if (self->left[k] == 0) continue;
        busy[n] = k;
        b[n] = &self->state[k];
        key[n] = self->key[k];
        salt_key[n] = self->salt_key[k];
        if (self->left[k] < step) step = self->left[k];
        n++;
    }
    uint32_t results[MAX_LANES][RESULT_WORDS];
    int finished = 0;
    if (n > 0) {
        self->running = 1;
        uint64_t done = 0;
        Py_BEGIN_ALLOW_THREADS
        while (done < step) {
            uint64_t chunk = step - done < WAKE_CHECK_ROUNDS ? step - done : WAKE_CHECK_ROUNDS;
            BY_LANES[n](b, key, salt_key, chunk);
            done += chunk;
            /* taken, not only read: a wake that comes later wakes the next run */
            if (__atomic_exchange_n(&self->woken, 0, __ATOMIC_ACQ_REL)) break;
        }
        for (int j = 0; j < n; j++) {
            int k = busy[j];
            self->left[k] -= done;
            if (self->left[k] == 0) lane_finish(&self->state[k], results[finished++]);
        }
        Py_END_ALLOW_THREADS
        self->running = 0;
    }
    PyObject *out = PyList_New(0);
    if (out == NULL) goto done;
    int f = 0;
    for (int j = 0; j < n; j++) {
        int k = busy[j];
        if (self->left[k] != 0) continue;
        unsigned char raw[4 * RESULT_WORDS];
        for (int w = 0; w < RESULT_WORDS; w++) {
            uint32_t word = results[f][w];
            raw[4 * w] = (unsigned char)(word >> 24);
            raw[4 * w + 1] = (unsigned char)(word >> 16);
            raw[4 * w + 2] = (unsigned char)(word >> 8);
            raw[4 * w + 3] = (unsigned char)word;
        }
        f++;
        wipe(&self->state[k], sizeof self->state[k]);
        wipe(self->key[k], sizeof self->key[k]);
        wipe(self->salt_key[k], sizeof self->salt_key[k]);
        PyObject *item = Py_BuildValue("(iy#)", k, (const char *)raw, (Py_ssize_t)sizeof raw);
        wipe(raw, sizeof raw);
        if (item == NULL || PyList_Append(out, item) < 0) {
            Py_XDECREF(item);
            Py_CLEAR(out);
            goto done;
        }
        Py_DECREF(item);
    }
done:
    wipe(results, sizeof results);
    return out;
}

PyDoc_STRVAR(lanes_wake_doc,
             "wake()\n\n"
             "Makes a `run` working now (on another thread), or the next one, return\n"
             "within a few rounds, so that its thread can start new work in free lanes.");

static PyObject *lanes_wake(Lanes *self, PyObject *unused)
{
    (void)unused;
    __atomic_store_n(&self->woken, 1, __ATOMIC_RELEASE);
    Py_RETURN_NONE;
}

static PyMethodDef lanes_methods[] = {
    {"start", (PyCFunction)lanes_start, METH_VARARGS, lanes_start_doc},
    {"run", (PyCFunction)lanes_run, METH_NOARGS, lanes_run_doc},
    {"wake", (PyCFunction)lanes_wake, METH_NOARGS, lanes_wake_doc},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject LanesType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "passgate.identity._bcrypt_kernel.Lanes",
    .tp_doc = PyDoc_STR("Up to MAX_LANES bcrypt hashes that start and finish one by one."),
    .tp_basicsize = sizeof(Lanes),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_dealloc = (destructor)lanes_dealloc,
    .tp_methods = lanes_methods,
};

static PyMethodDef kernel_methods[] = {
    {"eksblowfish", kernel_eksblowfish, METH_VARARGS, eksblowfish_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef kernel_module = {
    PyModuleDef_HEAD_INIT,
    "passgate.identity._bcrypt_kernel",
    "bcrypt's eksblowfish for several independent hashes at once, interleaved.",
    -1,
    kernel_methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__bcrypt_kernel(void)
{
    if (PyType_Ready(&LanesType) < 0) return NULL;
    PyObject *module = PyModule_Create(&kernel_module);
    if (module == NULL) return NULL;
    if (PyModule_AddIntConstant(module, "MAX_LANES", MAX_LANES) < 0 ||
        PyModule_AddObjectRef(module, "Lanes", (PyObject *)&LanesType) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
