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

PyDoc_STRVAR(at_least_doc,
             "at_least(out, values, docs, floor) -> count: the documents of docs whose values[doc] >= floor written to "
             "out (as long as docs, same type) in order, and how many there are.");

static PyObject *at_least(PyObject *self, PyObject *args) {
    PyObject *o_out, *o_values, *o_docs;
    double floor;
    Arg out = {0}, values = {0}, docs = {0};
    if (!PyArg_ParseTuple(args, "OOOd", &o_out, &o_values, &o_docs, &floor)) return NULL;
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
    if (docs.view.itemsize == 4) {
        const int32_t *d = (const int32_t *)docs.view.buf;
        int32_t *o = (int32_t *)out.view.buf;
        for (Py_ssize_t i = 0; i < n; i++) {
            o[kept] = d[i];
            kept += v[d[i]] >= floor;
        }
    } else {
        const int64_t *d = (const int64_t *)docs.view.buf;
        int64_t *o = (int64_t *)out.view.buf;
        for (Py_ssize_t i = 0; i < n; i++) {
            o[kept] = d[i];
            kept += v[d[i]] >= floor;
        }
    }
    Py_END_ALLOW_THREADS
    release(&out), release(&values), release(&docs);
    return PyLong_FromSsize_t(kept);
fail:
    release(&out), release(&values), release(&docs);
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

/* ---- stretch_best: StretchedPool.best's whole loop over stretches (sentences and paragraphs in article order). ---- */

typedef struct {
    double pool;
    int64_t id;
} Entry;

/* Whether a ranks below b: a lower pool score, or the same score and a higher sentence number. */
static inline int worse(const Entry *a, const Entry *b) { return a->pool < b->pool || (a->pool == b->pool && a->id > b->id); }

static void sift_down(Entry *h, Py_ssize_t size, Py_ssize_t i) {
    for (;;) {
        Py_ssize_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < size && worse(&h[l], &h[m])) m = l;
        if (r < size && worse(&h[r], &h[m])) m = r;
        if (m == i) return;
        Entry t = h[i];
        h[i] = h[m], h[m] = t, i = m;
    }
}

/* Offer a sentence to the heap of the best n (its root the worst kept). */
static void offer(Entry *h, Py_ssize_t *size, Py_ssize_t n, double pool, int64_t id) {
    Entry e = {pool, id};
    if (n <= 0) return;
    if (*size < n) {
        Py_ssize_t i = (*size)++;
        h[i] = e;
        while (i > 0) {
            Py_ssize_t up = (i - 1) / 2;
            if (!worse(&h[i], &h[up])) break;
            Entry t = h[i];
            h[i] = h[up], h[up] = t, i = up;
        }
    } else if (worse(&h[0], &e)) {
        h[0] = e;
        sift_down(h, n, 0);
    }
}

static int by_id(const void *a, const void *b) {
    int64_t x = ((const Entry *)a)->id, y = ((const Entry *)b)->id;
    return (x > y) - (x < y);
}

/* One query term's postings (ascending int32 documents, float32 scores) and where the scan has reached in them. */
typedef struct {
    Arg docs, scores;
    Py_ssize_t size, start, at;
} List;

static void release_lists(List *lists, Py_ssize_t n) {
    if (!lists) return;
    for (Py_ssize_t t = 0; t < n; t++) release(&lists[t].docs), release(&lists[t].scores);
    PyMem_Free(lists);
}

/* The (docs, scores) pairs of the sequence `obj`, as Lists; NULL with an exception set on failure. */
static List *take_lists(PyObject *obj, Py_ssize_t *count, const char *what) {
    PyObject *seq = PySequence_Fast(obj, what);
    if (!seq) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    List *lists = PyMem_Calloc(n ? n : 1, sizeof(List));
    if (!lists) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return NULL;
    }
    for (Py_ssize_t t = 0; t < n; t++) {
        PyObject *o_docs, *o_scores;
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(seq, t), "OO", &o_docs, &o_scores) ||
            take(o_docs, &lists[t].docs, 0, "i", what) < 0 || take(o_scores, &lists[t].scores, 0, "f", what) < 0)
            goto fail;
        lists[t].size = lists[t].docs.view.shape[0];
        if (lists[t].scores.view.shape[0] != lists[t].size) {
            PyErr_Format(PyExc_ValueError, "%s: documents and scores differ in length", what);
            goto fail;
        }
    }
    Py_DECREF(seq);
    *count = n;
    return lists;
fail:
    Py_DECREF(seq);
    release_lists(lists, n);
    return NULL;
}

/* Add every list's postings below `hi` (from where it had reached) into s; how many. -1 if one is below `lo` or below
 * the one before it (the postings are not ascending, or a document is negative). */
static Py_ssize_t add_below(List *lists, Py_ssize_t n, double *s, int64_t lo, int64_t hi) {
    Py_ssize_t added = 0;
    for (Py_ssize_t t = 0; t < n; t++) {
        List *l = &lists[t];
        const int32_t *d = (const int32_t *)l->docs.view.buf;
        const float *v = (const float *)l->scores.view.buf;
        Py_ssize_t j = l->start = l->at;
        int64_t last = lo;
        for (; j < l->size && d[j] < hi; j++) {
            if (d[j] < last) return -1;
            last = d[j];
            s[last] += (double)v[j];
        }
        added += j - l->at;
        l->at = j;
    }
    return added;
}

/* Zero s at the postings just added (the span lo:hi whole when they are dense in it). */
static void zero_added(const List *lists, Py_ssize_t n, double *s, int64_t lo, int64_t hi, Py_ssize_t added, int64_t dense) {
    if ((int64_t)added * dense > hi - lo) {
        memset(s + lo, 0, (size_t)(hi - lo) * sizeof(double));
        return;
    }
    for (Py_ssize_t t = 0; t < n; t++) {
        const int32_t *d = (const int32_t *)lists[t].docs.view.buf;
        for (Py_ssize_t j = lists[t].start; j < lists[t].at; j++) s[d[j]] = 0.0;
    }
}

enum { SCAN_OK, SCAN_UNORDERED, SCAN_PARAGRAPH, SCAN_ARTICLE };

/* The best paragraph score (at least 0) of paragraphs plo:phi, where the postings start:at of `lists` are. */
static double paragraph_best(const List *lists, Py_ssize_t n, const double *p, int64_t plo, int64_t phi, Py_ssize_t added, int64_t dense) {
    double best = 0.0;
    if ((int64_t)added * dense > phi - plo) {
        for (int64_t q = plo; q < phi; q++) best = p[q] > best ? p[q] : best;
        return best;
    }
    for (Py_ssize_t t = 0; t < n; t++) {
        const int32_t *d = (const int32_t *)lists[t].docs.view.buf;
        for (Py_ssize_t j = lists[t].start; j < lists[t].at; j++) best = p[d[j]] > best ? p[d[j]] : best;
    }
    return best;
}

/* The best n sentences by pool score so far, and what decides whether a sentence can still join them: once n are
 * kept, none can beat the worst of them (the floor) unless own + weight x (the best paragraph of those summed, read
 * from the paragraph postings start:at of `paras`) reaches it. */
typedef struct {
    Entry *heap;
    Py_ssize_t n, size, num_paras, num_arts, np;
    double weight, reach, floor;
    int pruned, status;
    const double *own, *para;
    const int32_t *sent_par, *sent_art;
    const char *allow;
    const List *paras;
    int64_t plo, phi, dense;
    Py_ssize_t padded;
} Best;

static void prune_if_full(Best *b) {
    if (b->pruned || !b->n || b->size < b->n || b->weight < 0) return;
    b->reach = b->weight * paragraph_best(b->paras, b->np, b->para, b->plo, b->phi, b->padded, b->dense);
    b->pruned = 1;
}

/* Paragraphs plo:phi (padded postings between each list's start and at) are summed: the reach is read from them. */
static void begin_span(Best *b, int64_t plo, int64_t phi, Py_ssize_t padded) {
    b->plo = plo, b->phi = phi, b->padded = padded, b->pruned = 0;
    prune_if_full(b);
    if (b->pruned) b->floor = b->heap[0].pool;
}

/* Offer sentence s to the best n unless it cannot join them; 1 if it was looked at in full (it need not be again). */
static inline int consider(Best *b, int64_t s) {
    double v = b->own[s];
    if (!(v > 0) || (b->pruned && v + b->reach < b->floor)) return 0;
    if (b->allow) {
        int32_t a = b->sent_art[s];
        if (a < 0 || a >= b->num_arts) {
            b->status = SCAN_ARTICLE;
            return 0;
        }
        if (!b->allow[a]) return 1;
    }
    int32_t q = b->sent_par[s];
    if (q < 0 || q >= b->num_paras) {
        b->status = SCAN_PARAGRAPH;
        return 0;
    }
    double scaled = b->weight * b->para[q];
    offer(b->heap, &b->size, b->n, v + scaled, s);
    prune_if_full(b);
    if (b->pruned) b->floor = b->heap[0].pool;
    return 1;
}

/* Set the exception for a scan's status; NULL. */
static PyObject *scan_error(const char *name, int status) {
    PyErr_Format(status == SCAN_UNORDERED ? PyExc_ValueError : PyExc_IndexError, "%s: %s", name,
                 status == SCAN_UNORDERED  ? "postings must be ascending and within the bounds"
                 : status == SCAN_ARTICLE ? "a sentence's article is out of range for allowed"
                                          : "a sentence's paragraph is out of range for para");
    return NULL;
}

/* The kept sentences, ascending, into out_ids / out_pool; how many. */
static Py_ssize_t write_best(Best *b, int64_t *out_ids, double *out_pool) {
    qsort(b->heap, (size_t)b->size, sizeof(Entry), by_id);
    for (Py_ssize_t i = 0; i < b->size; i++) out_ids[i] = b->heap[i].id, out_pool[i] = b->heap[i].pool;
    return b->size;
}

PyDoc_STRVAR(stretch_best_doc,
             "stretch_best(own, para, sent_paragraph, sent_article, allowed, weight, n, dense, sentence_postings, "
             "paragraph_postings, bounds, para_bounds, out_ids, out_pool, seen_docs, seen_values) -> (k, m): "
             "retrieval.pools.StretchedPool.best in article order, in one call. Stretch by stretch (sentences "
             "bounds[i]:bounds[i+1], paragraphs para_bounds[i]:para_bounds[i+1]) the postings of every (docs, scores) "
             "list are added into the zeroed scratch arrays own and para, term by term in query order; the sentences with "
             "own > 0 (of allowed articles unless allowed is None) are offered, by pool score own + weight x para, to "
             "the best n (ties to the lower number); every paragraph posting's document and summed score are noted in "
             "seen_docs / seen_values; and the stretch is zeroed again (whole when it holds more than its size / dense "
             "postings). The k best (k <= n) are written to out_ids / out_pool in ascending order, m paragraph notes.");

static PyObject *stretch_best(PyObject *self, PyObject *args) {
    PyObject *o_own, *o_para, *o_sp, *o_sa, *o_allowed, *o_slists, *o_plists, *o_bounds, *o_pbounds, *o_ids, *o_pool, *o_sdocs,
        *o_svals;
    double weight;
    Py_ssize_t n;
    long long dense;
    Arg own = {0}, para = {0}, sp = {0}, sa = {0}, allowed = {0}, bounds = {0}, pbounds = {0}, ids = {0}, pool = {0}, sdocs = {0},
        svals = {0};
    List *sl = NULL, *pl = NULL;
    Py_ssize_t ns = 0, np_ = 0;
    Entry *heap = NULL;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "OOOOOdnLOOOOOOOO", &o_own, &o_para, &o_sp, &o_sa, &o_allowed, &weight, &n, &dense, &o_slists,
                          &o_plists, &o_bounds, &o_pbounds, &o_ids, &o_pool, &o_sdocs, &o_svals))
        return NULL;
    if (take(o_own, &own, 1, "d", "own") < 0 || take(o_para, &para, 1, "d", "para") < 0 || take(o_sp, &sp, 0, "i", "sent_paragraph") < 0 ||
        take(o_sa, &sa, 0, "i", "sent_article") < 0 || (o_allowed != Py_None && take(o_allowed, &allowed, 0, "?", "allowed") < 0) ||
        take(o_bounds, &bounds, 0, "ql", "bounds") < 0 || take(o_pbounds, &pbounds, 0, "ql", "para_bounds") < 0 ||
        take(o_ids, &ids, 1, "ql", "out_ids") < 0 || take(o_pool, &pool, 1, "d", "out_pool") < 0 ||
        take(o_sdocs, &sdocs, 1, "ql", "seen_docs") < 0 || take(o_svals, &svals, 1, "d", "seen_values") < 0 ||
        !(sl = take_lists(o_slists, &ns, "sentence_postings")) || !(pl = take_lists(o_plists, &np_, "paragraph_postings")))
        goto done;
    Py_ssize_t num_sents = own.view.shape[0], num_paras = para.view.shape[0], stretches = bounds.view.shape[0] - 1;
    Py_ssize_t num_arts = o_allowed != Py_None ? allowed.view.shape[0] : 0, para_total = 0;
    const int64_t *b = (const int64_t *)bounds.view.buf, *pb = (const int64_t *)pbounds.view.buf;
    for (Py_ssize_t t = 0; t < np_; t++) para_total += pl[t].size;
    int ok = n >= 0 && dense >= 0 && stretches >= 1 && pbounds.view.shape[0] == stretches + 1 && b[0] == 0 && pb[0] == 0 &&
             b[stretches] == num_sents && pb[stretches] == num_paras && sp.view.shape[0] == num_sents &&
             sa.view.shape[0] == num_sents && ids.view.shape[0] >= n && pool.view.shape[0] >= n && sdocs.view.shape[0] >= para_total &&
             svals.view.shape[0] >= para_total;
    for (Py_ssize_t i = 0; ok && i < stretches; i++) ok = b[i] <= b[i + 1] && pb[i] <= pb[i + 1];
    if (!ok) {
        PyErr_SetString(PyExc_ValueError,
                        "stretch_best: bounds and para_bounds must rise from 0 to the sizes of own and para, sent_paragraph "
                        "and sent_article be as long as own, the outputs hold n best and every paragraph posting, n and "
                        "dense not be negative");
        goto done;
    }
    if (!(heap = PyMem_Malloc((n ? n : 1) * sizeof(Entry)))) {
        PyErr_NoMemory();
        goto done;
    }
    double *o = (double *)own.view.buf, *p = (double *)para.view.buf, *seen_v = (double *)svals.view.buf;
    int64_t *seen_d = (int64_t *)sdocs.view.buf;
    const int32_t *sent_par = (const int32_t *)sp.view.buf, *sent_art = (const int32_t *)sa.view.buf;
    const char *allow = o_allowed != Py_None ? (const char *)allowed.view.buf : NULL;
    Best best = {.heap = heap, .n = n, .num_paras = num_paras, .num_arts = num_arts, .np = np_, .weight = weight, .own = o,
                 .para = p, .sent_par = sent_par, .sent_art = sent_art, .allow = allow, .paras = pl, .dense = dense};
    Py_ssize_t m = 0;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < stretches && best.status == SCAN_OK; i++) {
        int64_t lo = b[i], hi = b[i + 1], plo = pb[i], phi = pb[i + 1];
        Py_ssize_t padded = add_below(pl, np_, p, plo, phi), added = padded < 0 ? -1 : add_below(sl, ns, o, lo, hi);
        if (padded < 0 || added < 0) {
            best.status = SCAN_UNORDERED;
            break;
        }
        if (added) {
            begin_span(&best, plo, phi, padded);
            if ((int64_t)added * dense > hi - lo) {
                for (int64_t s = lo; s < hi && best.status == SCAN_OK; s++) consider(&best, s);
            } else {
                for (Py_ssize_t t = 0; t < ns && best.status == SCAN_OK; t++) {
                    const int32_t *d = (const int32_t *)sl[t].docs.view.buf;
                    for (Py_ssize_t j = sl[t].start; j < sl[t].at && best.status == SCAN_OK; j++)
                        if (consider(&best, d[j])) o[d[j]] = -o[d[j]]; /* its other terms' postings skip it */
                }
            }
        }
        for (Py_ssize_t t = 0; t < np_; t++) {
            const int32_t *d = (const int32_t *)pl[t].docs.view.buf;
            for (Py_ssize_t j = pl[t].start; j < pl[t].at; j++, m++) seen_d[m] = d[j], seen_v[m] = p[d[j]];
        }
        zero_added(sl, ns, o, lo, hi, added, dense);
        zero_added(pl, np_, p, plo, phi, padded, dense);
    }
    Py_END_ALLOW_THREADS
    for (Py_ssize_t t = 0; best.status == SCAN_OK && t < ns; t++) best.status = sl[t].at < sl[t].size ? SCAN_UNORDERED : SCAN_OK;
    for (Py_ssize_t t = 0; best.status == SCAN_OK && t < np_; t++) best.status = pl[t].at < pl[t].size ? SCAN_UNORDERED : SCAN_OK;
    if (best.status != SCAN_OK) { /* left as they were: zero the scratch arrays whole */
        memset(o, 0, (size_t)num_sents * sizeof(double));
        memset(p, 0, (size_t)num_paras * sizeof(double));
        scan_error("stretch_best", best.status);
        goto done;
    }
    Py_ssize_t size = write_best(&best, (int64_t *)ids.view.buf, (double *)pool.view.buf);
    result = Py_BuildValue("nn", size, m);
done:
    PyMem_Free(heap);
    release_lists(sl, ns), release_lists(pl, np_);
    release(&own), release(&para), release(&sp), release(&sa), release(&allowed), release(&bounds), release(&pbounds);
    release(&ids), release(&pool), release(&sdocs), release(&svals);
    return result;
}

static PyMethodDef methods[] = {
    {"at_least", at_least, METH_VARARGS, at_least_doc},
    {"add_at", add_at, METH_VARARGS, add_at_doc},
    {"zero_at", zero_at, METH_VARARGS, zero_at_doc},
    {"pool_at", pool_at, METH_VARARGS, pool_at_doc},
    {"texts", texts, METH_VARARGS, texts_doc},
    {"stretch_best", stretch_best, METH_VARARGS, stretch_best_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_kernels", "Compiled posting loops of the candidate stage.", -1, methods};

PyMODINIT_FUNC PyInit__kernels(void) { return PyModule_Create(&module); }
