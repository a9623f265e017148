// Training and evaluation of the multifile shape, defined in train.cc: main.cc
// sees only these declarations.
#pragma once

#include "fashion_mnist/data.h"
#include "model.h"

using Loader = torch::data::StatelessDataLoader<fmnist::TensorDataset, torch::data::samplers::RandomSampler>;

// One pass over the loader; adds each batch's loss to loss_sum.
void train_epoch(Mlp model, Loader& loader, torch::optim::Optimizer& optimizer, double& loss_sum);

// Accuracy on `data`.
double evaluate(Mlp model, const fmnist::Data& data);
