# Regenerates the inputs of healthequal's non-ordered tests (tests/testthat/test-bgv.R etc.)
# from the seed those tests set; base R only.
set.seed(123)
pop <- round(rnorm(25, 1000, 300))
est <- rbinom(25, 1000, .065)
se <- rbinom(25, 100, .045)
ref <- rep(0, 25)
ref[sample(25, 1)] <- 1
write.csv(data.frame(subgroup = 1:25, pop = pop, est = est, se = se,
                     favourable_indicator = 1, ordered_dimension = 0,
                     indicator_scale = 100, reference_subgroup = ref),
          "healthequal_testvector_nonordered_inputs.csv", row.names = FALSE)
