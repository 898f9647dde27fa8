/* The candidate stage's loops over postings (and its reads of many sentences' texts), compiled: NumPy's fancy-index
 * add, zeroing and gather cost 2.5-3.5 ns a posting in its iterator machinery, which at a million sentences is 14 % of a
 * median question.
 *
 * Each function takes NumPy arrays (any object with the buffer protocol): float64 scratch arrays, document numbers as
 * int32 or native (intp) integers, scores as float32 or float64. The arithmetic is NumPy's own, in the same order
 * (float32 scores widened to double, then added; own + weight * paragraph), so the results are the same to the bit
 * as retrieval/kernels.py's NumPy fallback. Every document number is checked against the array it indexes
 * (IndexError), and the loops run without the GIL.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

typedef struct {
    Py_buffer view;
    int held;
} Arg;

static void release(Arg *a) {
    if (a->held) PyBuffer_Release(&a->view);
    a->held = 0;
}

/* A C-contiguous one-dimensional buffer of `obj` whose items have one of the `kinds` format letters. */
static int take(PyObject *obj, Arg *a, int writable, const char *kinds, const char *what) {
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, &a->view, flags) < 0) return -1;
    a->held = 1;
    const char *format = a->view.format ? a->view.format : "B";
    if (*format == '<' || *format == '=' || *format == '@') format++;
    if (a->view.ndim != 1 || format[0] == '\0' || format[1] != '\0' || !strchr(kinds, format[0])) {
        PyErr_Format(PyExc_TypeError, "%s: expected a one-dimensional array of '%s' items, got format '%s'", what, kinds,
                     a->view.format ? a->view.format : "B");
        release(a);
        return -1;
    }
    return 0;
}

/* Integer document numbers: int32 or 64-bit. */
static const char *INDEXES = "iqln";

static inline int64_t doc_at(const Arg *docs, Py_ssize_t i) {
    return docs->view.itemsize == 4 ? (int64_t)((const int32_t *)docs->view.buf)[i] : ((const int64_t *)docs->view.buf)[i];
}

static int check_bounds(const Arg *docs, Py_ssize_t limit) {
    Py_ssize_t n = docs->view.shape[0];
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t d = doc_at(docs, i);
        if (d < 0 || d >= limit) {
            PyErr_Format(PyExc_IndexError, "document %lld out of range for an array of %zd", (long long)d, limit);
            return -1;
        }
    }
    return 0;
}

static int index_width(const Arg *docs) {
    if (docs->view.itemsize != 4 && docs->view.itemsize != 8) {
        PyErr_SetString(PyExc_TypeError, "document numbers must be 4 or 8 bytes wide");
        return -1;
    }
    return 0;
}

PyDoc_STRVAR(add_at_doc, "add_at(scratch, docs, scores): scratch[docs] += scores (docs distinct within one call).");

static PyObject *add_at(PyObject *self, PyObject *args) {
    PyObject *o_scratch, *o_docs, *o_scores;
    Arg scratch = {0}, docs = {0}, scores = {0};
    if (!PyArg_ParseTuple(args, "OOO", &o_scratch, &o_docs, &o_scores)) return NULL;
    if (take(o_scratch, &scratch, 1, "d", "scratch") < 0 || take(o_docs, &docs, 0, INDEXES, "docs") < 0 ||
        take(o_scores, &scores, 0, "fd", "scores") < 0 || index_width(&docs) < 0)
        goto fail;
    Py_ssize_t n = docs.view.shape[0];
    if (scores.view.shape[0] != n) {
        PyErr_SetString(PyExc_ValueError, "docs and scores differ in length");
        goto fail;
    }
    if (check_bounds(&docs, scratch.view.shape[0]) < 0) goto fail;
    double *s = (double *)scratch.view.buf;
    int narrow = scores.view.itemsize == 4;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++) {
        double v = narrow ? (double)((const float *)scores.view.buf)[i] : ((const double *)scores.view.buf)[i];
        s[doc_at(&docs, i)] += v;
    }
    Py_END_ALLOW_THREADS
    release(&scratch), release(&docs), release(&scores);
    Py_RETURN_NONE;
fail:
    release(&scratch), release(&docs), release(&scores);
    return NULL;
}

PyDoc_STRVAR(zero_at_doc, "zero_at(scratch, docs): scratch[docs] = 0.0.");

static PyObject *zero_at(PyObject *self, PyObject *args) {
    PyObject *o_scratch, *o_docs;
    Arg scratch = {0}, docs = {0};
    if (!PyArg_ParseTuple(args, "OO", &o_scratch, &o_docs)) return NULL;
    if (take(o_scratch, &scratch, 1, "d", "scratch") < 0 || take(o_docs, &docs, 0, INDEXES, "docs") < 0 || index_width(&docs) < 0)
        goto fail;
    if (check_bounds(&docs, scratch.view.shape[0]) < 0) goto fail;
    double *s = (double *)scratch.view.buf;
    Py_ssize_t n = docs.view.shape[0];
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++) s[doc_at(&docs, i)] = 0.0;
    Py_END_ALLOW_THREADS
    release(&scratch), release(&docs);
    Py_RETURN_NONE;
fail:
    release(&scratch), release(&docs);
    return NULL;
}

PyDoc_STRVAR(pool_at_doc,
             "pool_at(out, own, sent_paragraph, para, weight, docs): out[i] = own[docs[i]] + weight * "
             "para[sent_paragraph[docs[i]]].");

static PyObject *pool_at(PyObject *self, PyObject *args) {
    PyObject *o_out, *o_own, *o_sp, *o_para, *o_docs;
    double weight;
    Arg out = {0}, own = {0}, sp = {0}, para = {0}, docs = {0};
    if (!PyArg_ParseTuple(args, "OOOOdO", &o_out, &o_own, &o_sp, &o_para, &weight, &o_docs)) return NULL;
    if (take(o_out, &out, 1, "d", "out") < 0 || take(o_own, &own, 0, "d", "own") < 0 || take(o_sp, &sp, 0, "i", "sent_paragraph") < 0 ||
        take(o_para, &para, 0, "d", "para") < 0 || take(o_docs, &docs, 0, INDEXES, "docs") < 0 || index_width(&docs) < 0)
        goto fail;
    Py_ssize_t n = docs.view.shape[0];
    if (out.view.shape[0] != n || sp.view.shape[0] != own.view.shape[0]) {
        PyErr_SetString(PyExc_ValueError, "out must be as long as docs, and sent_paragraph as own");
        goto fail;
    }
    const int32_t *paragraph = (const int32_t *)sp.view.buf;
    Py_ssize_t num_sents = own.view.shape[0], num_paras = para.view.shape[0], bad = -1;
    double *o = (double *)out.view.buf;
    const double *a = (const double *)own.view.buf, *b = (const double *)para.view.buf;
    /* One pass: each document and its paragraph checked where they are read (nothing outside `out` is written). */
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t d = doc_at(&docs, i);
        if (d < 0 || d >= num_sents || paragraph[d] < 0 || paragraph[d] >= num_paras) {
            bad = i;
            break;
        }
        double scaled = weight * b[paragraph[d]];
        o[i] = a[d] + scaled;
    }
    Py_END_ALLOW_THREADS
    if (bad >= 0) {
        int64_t d = doc_at(&docs, bad);
        if (d < 0 || d >= num_sents)
            PyErr_Format(PyExc_IndexError, "document %lld out of range for an array of %zd", (long long)d, num_sents);
        else
            PyErr_Format(PyExc_IndexError, "paragraph %d out of range for an array of %zd", (int)paragraph[d], num_paras);
        goto fail;
    }
    release(&out), release(&own), release(&sp), release(&para), release(&docs);
    Py_RETURN_NONE;
fail:
    release(&out), release(&own), release(&sp), release(&para), release(&docs);
    return NULL;
}

PyDoc_STRVAR(keep_at_doc,
             "keep_at(out, values, docs, reach, floor, strict) -> count: the documents of docs whose values[doc] + reach "
             "is above floor (strict) or at least floor, written to out (as long as docs, same type) in order; how many "
             "there are.");

#define KEEP(T, CMP)                                              \
    do {                                                          \
        const T *d = (const T *)docs.view.buf;                    \
        T *o = (T *)out.view.buf;                                 \
        for (Py_ssize_t i = 0; i < n; i++) {                      \
            o[kept] = d[i];                                       \
            kept += v[d[i]] + reach CMP floor;                    \
        }                                                         \
    } while (0)

static PyObject *keep_at(PyObject *self, PyObject *args) {
    PyObject *o_out, *o_values, *o_docs;
    double reach, floor;
    int strict;
    Arg out = {0}, values = {0}, docs = {0};
    if (!PyArg_ParseTuple(args, "OOOddp", &o_out, &o_values, &o_docs, &reach, &floor, &strict)) return NULL;
    if (take(o_out, &out, 1, INDEXES, "out") < 0 || take(o_values, &values, 0, "d", "values") < 0 ||
        take(o_docs, &docs, 0, INDEXES, "docs") < 0 || index_width(&docs) < 0)
        goto fail;
    Py_ssize_t n = docs.view.shape[0], kept = 0;
    if (out.view.shape[0] != n || out.view.itemsize != docs.view.itemsize) {
        PyErr_SetString(PyExc_ValueError, "out must match docs in length and type");
        goto fail;
    }
    if (check_bounds(&docs, values.view.shape[0]) < 0) goto fail;
    const double *v = (const double *)values.view.buf;
    Py_BEGIN_ALLOW_THREADS
    if (docs.view.itemsize == 4 && strict)
        KEEP(int32_t, >);
    else if (docs.view.itemsize == 4)
        KEEP(int32_t, >=);
    else if (strict)
        KEEP(int64_t, >);
    else
        KEEP(int64_t, >=);
    Py_END_ALLOW_THREADS
    release(&out), release(&values), release(&docs);
    return PyLong_FromSsize_t(kept);
fail:
    release(&out), release(&values), release(&docs);
    return NULL;
}

PyDoc_STRVAR(positive_in_doc,
             "positive_in(out, values, lo, hi, reach, floor) -> count: the positions i in lo:hi (ascending) where "
             "values[i] > 0 and, unless floor is None, values[i] + reach > floor, written to out (int64, at least hi - lo "
             "long); how many there are.");

static PyObject *positive_in(PyObject *self, PyObject *args) {
    PyObject *o_out, *o_values, *o_floor;
    Py_ssize_t lo, hi;
    double reach, floor = 0.0;
    Arg out = {0}, values = {0};
    if (!PyArg_ParseTuple(args, "OOnndO", &o_out, &o_values, &lo, &hi, &reach, &o_floor)) return NULL;
    int floored = o_floor != Py_None;
    if (floored && (floor = PyFloat_AsDouble(o_floor)) == -1.0 && PyErr_Occurred()) return NULL;
    if (take(o_out, &out, 1, INDEXES, "out") < 0 || take(o_values, &values, 0, "d", "values") < 0) goto fail;
    if (out.view.itemsize != 8 || lo < 0 || hi < lo || hi > values.view.shape[0] || out.view.shape[0] < hi - lo) {
        PyErr_SetString(PyExc_ValueError, "lo:hi must lie within values, and out must be int64 and hold hi - lo items");
        goto fail;
    }
    const double *v = (const double *)values.view.buf;
    int64_t *o = (int64_t *)out.view.buf;
    Py_ssize_t kept = 0;
    Py_BEGIN_ALLOW_THREADS
    if (floored) {
        for (Py_ssize_t i = lo; i < hi; i++) {
            o[kept] = i;
            kept += (v[i] > 0) & (v[i] + reach > floor);
        }
    } else {
        for (Py_ssize_t i = lo; i < hi; i++) {
            o[kept] = i;
            kept += v[i] > 0;
        }
    }
    Py_END_ALLOW_THREADS
    release(&out), release(&values);
    return PyLong_FromSsize_t(kept);
fail:
    release(&out), release(&values);
    return NULL;
}

PyDoc_STRVAR(texts_doc,
             "texts(blob, starts, ends) -> list[str]: blob[starts[i]:ends[i]] decoded as UTF-8 (strict), for every i; "
             "starts and ends are int64 arrays of byte offsets.");

static PyObject *texts(PyObject *self, PyObject *args) {
    PyObject *o_blob, *o_starts, *o_ends, *list = NULL;
    Py_buffer blob;
    Arg starts = {0}, ends = {0};
    if (!PyArg_ParseTuple(args, "OOO", &o_blob, &o_starts, &o_ends)) return NULL;
    if (PyObject_GetBuffer(o_blob, &blob, PyBUF_SIMPLE) < 0) return NULL;
    if (take(o_starts, &starts, 0, INDEXES, "starts") < 0 || take(o_ends, &ends, 0, INDEXES, "ends") < 0) goto done;
    Py_ssize_t n = starts.view.shape[0];
    if (ends.view.shape[0] != n || starts.view.itemsize != 8 || ends.view.itemsize != 8) {
        PyErr_SetString(PyExc_ValueError, "starts and ends must be int64 arrays of one length");
        goto done;
    }
    const int64_t *s = (const int64_t *)starts.view.buf, *e = (const int64_t *)ends.view.buf;
    const char *bytes = (const char *)blob.buf;
    if (!(list = PyList_New(n))) goto done;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (s[i] < 0 || e[i] < s[i] || e[i] > blob.len) {
            PyErr_Format(PyExc_IndexError, "span %lld:%lld out of range for %zd bytes", (long long)s[i], (long long)e[i], blob.len);
            Py_CLEAR(list);
            goto done;
        }
        PyObject *text = PyUnicode_DecodeUTF8(bytes + s[i], (Py_ssize_t)(e[i] - s[i]), "strict");
        if (!text) {
            Py_CLEAR(list);
            goto done;
        }
        PyList_SET_ITEM(list, i, text);
    }
done:
    release(&starts), release(&ends);
    PyBuffer_Release(&blob);
    return list;
}

static PyMethodDef methods[] = {
    {"keep_at", keep_at, METH_VARARGS, keep_at_doc},
    {"add_at", add_at, METH_VARARGS, add_at_doc},
    {"zero_at", zero_at, METH_VARARGS, zero_at_doc},
    {"pool_at", pool_at, METH_VARARGS, pool_at_doc},
    {"texts", texts, METH_VARARGS, texts_doc},
    {"positive_in", positive_in, METH_VARARGS, positive_in_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_kernels", "Compiled posting loops of the candidate stage.", -1, methods};

PyMODINIT_FUNC PyInit__kernels(void) { return PyModule_Create(&module); }
