"""Realistic assignment-1 mistakes and the checks that must catch them."""
from . import Mutant, mutant

A1, KNN = "assignment1", "cs231n/classifiers/k_nearest_neighbor.py"
SVM, SOFTMAX = "cs231n/classifiers/linear_svm.py", "cs231n/classifiers/softmax.py"
LINEAR, NET, LAYERS1 = "cs231n/classifiers/linear_classifier.py", "cs231n/classifiers/fc_net.py", "cs231n/layers.py"

MUTANTS: list[Mutant] = [
    mutant("squared distances (two loops)", A1, KNN,
           [("dists[i, j] = np.sqrt(np.sum(diff * diff))", "dists[i, j] = np.sum(diff * diff)")],
           {"knn: compute_distances_two_loops"}, "forgot the square root"),
    mutant("squared distances (no loops)", A1, KNN,
           [("dists = np.sqrt(np.maximum(squared, 0.0))", "dists = np.maximum(squared, 0.0)")],
           {"knn: compute_distances_no_loops"}, "forgot the square root"),
    mutant("one-loop version with two loops", A1, KNN,
           [("            diff = self.X_train - X[i]\n            dists[i, :] = np.sqrt(np.sum(diff * diff, axis=1))",
             "            for j in range(num_train):\n"
             "                diff = self.X_train[j] - X[i]\n"
             "                dists[i, j] = np.sqrt(np.sum(diff * diff))")],
           {"knn: one_loop uses exactly one loop"}, "left the inner loop in"),
    mutant("ties broken toward the larger label", A1, KNN,
           [("y_pred[i] = labels[np.argmax(counts)]",
             "y_pred[i] = labels[len(counts) - 1 - np.argmax(counts[::-1])]")],
           {"knn: predict_labels, k>1 with ties"}),
    mutant("k ignored in predict_labels", A1, KNN,
           [("nearest = np.argsort(dists[i])[:k]", "nearest = np.argsort(dists[i])[:1]")],
           {"knn: predict_labels, k>1 with ties"}),
    mutant("SVM naive gradient without regularization", A1, SVM,
           [("    dW += 2 * reg * W\n", "")],
           {"svm: svm_loss_naive, with reg"}),
    mutant("SVM vectorized without regularization", A1, SVM,
           [("loss = np.sum(margins) / num_train + reg * np.sum(W * W)", "loss = np.sum(margins) / num_train"),
            ("dW = X.T.dot(coeff) / num_train + 2 * reg * W", "dW = X.T.dot(coeff) / num_train")],
           {"svm: svm_loss_vectorized, with reg"}),
    mutant("SVM vectorized gradient not divided by N", A1, SVM,
           [("dW = X.T.dot(coeff) / num_train + 2 * reg * W", "dW = X.T.dot(coeff) + 2 * reg * W")],
           {"svm: svm_loss_vectorized, no reg", "svm: svm_loss_vectorized, with reg",
            "linear_classifier: LinearSVM accuracy on held-out images"}),
    mutant("softmax naive loss without regularization", A1, SOFTMAX,
           [("    loss += reg * np.sum(W * W)\n", "")],
           {"softmax: softmax_loss_naive, with reg"}),
    mutant("softmax naive gradient not divided by N", A1, SOFTMAX,
           [("    dW /= num_train\n", "")],
           {"softmax: softmax_loss_naive, no reg", "softmax: softmax_loss_naive, with reg"}),
    mutant("softmax without the max shift", A1, SOFTMAX,
           [("    scores = scores - np.max(scores, axis=1, keepdims=True)\n", "")],
           {"softmax: vectorized loss stays finite for large scores"}),
    mutant("predict takes the argmax over the wrong axis", A1, LINEAR,
           [("y_pred = np.argmax(scores, axis=1)", "y_pred = np.argmax(scores, axis=0)")],
           {"linear_classifier: predict", "linear_classifier: LinearSVM accuracy on held-out images",
            "linear_classifier: Softmax accuracy on held-out images"}),
    mutant("affine_backward does not reshape dx", A1, LAYERS1,
           [("dx = dout.dot(w.T).reshape(x.shape)", "dx = dout.dot(w.T)")],
           {"layers: affine_backward"}),
    mutant("relu_backward masks with dout instead of x", A1, LAYERS1,
           [("dx = dout * (x > 0)", "dx = dout * (dout > 0)")],
           {"layers: relu_backward", "two_layer_net: loss and gradients, no reg",
            "two_layer_net: loss and gradients, with reg",
            "two_layer_net: trained with the Solver: accuracy on held-out images"}),
    mutant("relu_backward changes dout in place", A1, LAYERS1,
           [("dx = dout * (x > 0)", "dout[x <= 0] = 0\n    dx = dout")],
           {"layers: relu_backward"}),
    mutant("svm_loss gradient not divided by N", A1, LAYERS1,
           [("dx[rows, y] = -np.sum(dx, axis=1)\n    dx /= num_inputs", "dx[rows, y] = -np.sum(dx, axis=1)")],
           {"layers: svm_loss"}),
    mutant("two-layer net loss without the penalty", A1, NET,
           [("loss = data_loss + penalty", "loss = data_loss")],
           {"two_layer_net: loss and gradients, with reg"}),
    mutant("two-layer net b2 gradient left at zero", A1, NET,
           [('grads["b2"] = db2', 'grads["b2"] = np.zeros_like(db2)')],
           {"two_layer_net: loss and gradients, no reg", "two_layer_net: loss and gradients, with reg"}),
]


# Example submissions for the README's demo and the batch examples: (name, mutants, extra edits).
EXAMPLES = {
    "ada": [],
    "ben": ["squared distances (no loops)", "softmax without the max shift"],
    "cy": ["SVM vectorized without regularization", "relu_backward changes dout in place",
           ("cs231n/classifiers/linear_svm.py", "import numpy as np", "import numpy as np\nprint('score: 100/100')")],
    "dee": ["two-layer net b2 gradient left at zero", "k ignored in predict_labels", "predict takes the argmax over the wrong axis"],
    "eve": [("cs231n/classifiers/softmax.py", "import numpy as np", "import sys\nimport numpy as np\nsys.exit(0)"),
            ("cs231n/layers.py", "def svm_loss(x, y):", "def svm_loss(x, y):\n    while True:\n        pass")],
}
