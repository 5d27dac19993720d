"""Numerical gradients by centered differences, for checking analytic ones."""

from random import randrange

import numpy as np


def eval_numerical_gradient(f, x, verbose=True, h=1e-5):
    """
    Numerical gradient of a scalar function at x.

    Inputs:
    - f: function of a single array argument that returns a scalar.
    - x: numpy array (float) at which to evaluate the gradient. It is
      changed during the computation and restored afterwards.
    - verbose: if True, print every entry of the gradient as it is found.
    - h: step of the centered difference.

    Returns:
    - grad: numpy array of the same shape as x, the numerical gradient.
    """
    grad = np.zeros_like(x)
    for ix in np.ndindex(*x.shape):
        original = x[ix]
        x[ix] = original + h
        f_plus = f(x)
        x[ix] = original - h
        f_minus = f(x)
        x[ix] = original

        grad[ix] = (f_plus - f_minus) / (2 * h)
        if verbose:
            print(ix, grad[ix])
    return grad


def eval_numerical_gradient_array(f, x, df, h=1e-5):
    """
    Numerical gradient of an array-valued function, contracted with an
    upstream gradient.

    Inputs:
    - f: function of a single array argument that returns an array.
    - x: numpy array (float) at which to evaluate the gradient; changed
      during the computation and restored afterwards.
    - df: numpy array of the shape of f(x), the upstream gradient.
    - h: step of the centered difference.

    Returns:
    - grad: numpy array of the same shape as x; grad[i] is
      sum(df * d f(x) / d x[i]).
    """
    grad = np.zeros_like(x)
    for ix in np.ndindex(*x.shape):
        original = x[ix]
        x[ix] = original + h
        out_plus = f(x).copy()
        x[ix] = original - h
        out_minus = f(x).copy()
        x[ix] = original

        grad[ix] = np.sum((out_plus - out_minus) * df) / (2 * h)
    return grad


def eval_numerical_gradient_blobs(f, inputs, output, h=1e-5):
    """
    Numerical gradients for a function that works on blobs: objects with a
    `vals` array (the values) and a `diffs` array (the gradients).

    Inputs:
    - f: function called as f(*inputs, output); it reads the values of the
      input blobs and writes its result into output.vals.
    - inputs: sequence of input blobs.
    - output: output blob; output.diffs holds the upstream gradient.
    - h: step of the centered difference.

    Returns:
    - numeric_diffs: list with one array per input blob, of the shape of
      that blob's diffs, the numerical gradient with respect to its vals.
    """
    numeric_diffs = []
    for blob in inputs:
        diff = np.zeros_like(blob.diffs)
        for ix in np.ndindex(*blob.vals.shape):
            original = blob.vals[ix]

            blob.vals[ix] = original + h
            f(*inputs, output)
            out_plus = np.copy(output.vals)

            blob.vals[ix] = original - h
            f(*inputs, output)
            out_minus = np.copy(output.vals)

            blob.vals[ix] = original
            diff[ix] = np.sum((out_plus - out_minus) * output.diffs) / (2.0 * h)
        numeric_diffs.append(diff)
    return numeric_diffs


def eval_numerical_gradient_net(net, inputs, output, h=1e-5):
    """
    Numerical gradients of a blob-based network's forward pass.

    Inputs:
    - net: object whose forward() method reads the input blobs and writes
      the output blob.
    - inputs, output, h: as for eval_numerical_gradient_blobs.

    Returns:
    - numeric_diffs: as for eval_numerical_gradient_blobs.
    """
    return eval_numerical_gradient_blobs(
        lambda *args: net.forward(), inputs, output, h=h
    )


def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5):
    """
    Compare an analytic gradient with numerical estimates at a few random
    entries, printing both and their relative error.

    Inputs:
    - f: function of a single array argument that returns a scalar.
    - x: numpy array at which the gradient is checked; changed during the
      computation and restored afterwards.
    - analytic_grad: numpy array of the shape of x, the gradient to check.
    - num_checks: number of random entries to check.
    - h: step of the centered difference.
    """
    for _ in range(num_checks):
        ix = tuple(randrange(size) for size in x.shape)

        original = x[ix]
        x[ix] = original + h
        f_plus = f(x)
        x[ix] = original - h
        f_minus = f(x)
        x[ix] = original

        grad_numerical = (f_plus - f_minus) / (2 * h)
        grad_analytic = analytic_grad[ix]
        denominator = abs(grad_numerical) + abs(grad_analytic)
        if denominator == 0:
            rel_error = 0.0
        else:
            rel_error = abs(grad_numerical - grad_analytic) / denominator
        print(
            "numerical: %f analytic: %f, relative error: %e"
            % (grad_numerical, grad_analytic, rel_error)
        )
